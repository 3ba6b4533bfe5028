//! postcard into a `Vec<u8>`, a slice at a time. postcard's own `to_extend` feeds the vector
//! through `Extend` one byte at a time (`iter().copied()`), which the size-optimized wasm build
//! leaves as a byte loop: a tenth of a sale's kernel work under the Pulley interpreter
//! (docs/PERFORMANCE.md). This writes each value with `extend_from_slice` (a `memory.copy`).

use postcard::ser_flavors::Flavor;
use serde::Serialize;

struct VecFlavor(Vec<u8>);

impl Flavor for VecFlavor {
    type Output = Vec<u8>;

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<Vec<u8>> {
        Ok(self.0)
    }
}

/// `value` in postcard, appended to `out`.
pub fn to_extend<T: Serialize + ?Sized>(value: &T, out: Vec<u8>) -> postcard::Result<Vec<u8>> {
    postcard::serialize_with_flavor(value, VecFlavor(out))
}
