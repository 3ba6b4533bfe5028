// A static file server for the browser virtual terminal and the browser tests; no dependencies.
//
//   node web/serve.mjs [--port 8080] [--host 127.0.0.1]
//
// Serves web/ (the page at /app/, the wasm-bindgen build at /pkg/) and the committed vectors at
// /vectors-data/ (with /vectors-data/index.json listing them). Build web/pkg first
// (scripts/build-web.sh; scripts/web-demo.sh does both).
import { createServer } from "node:http";
import { readFile, readdir, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const webRoot = dirname(fileURLToPath(import.meta.url));
const vectorsRoot = resolve(webRoot, "..", "tests", "vectors");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ts": "text/plain; charset=utf-8",
};

/** Maps a URL path to a file inside `root`, or null if it would leave it. */
function inside(root, urlPath) {
  const file = normalize(join(root, decodeURIComponent(urlPath)));
  return file === root || file.startsWith(root + sep) ? file : null;
}

async function respond(request, response) {
  const url = new URL(request.url, "http://localhost");
  let path = url.pathname;
  if (path === "/") {
    response.writeHead(302, { location: "/app/" });
    return response.end();
  }
  if (path === "/vectors-data/index.json") {
    const names = (await readdir(vectorsRoot)).filter((n) => n.endsWith(".json")).sort();
    response.writeHead(200, { "content-type": TYPES[".json"], "cache-control": "no-store" });
    return response.end(JSON.stringify(names));
  }
  const file = path.startsWith("/vectors-data/")
    ? inside(vectorsRoot, path.slice("/vectors-data".length))
    : inside(webRoot, path.endsWith("/") ? path + "index.html" : path);
  if (file === null || file.includes(`${sep}node_modules${sep}`)) {
    response.writeHead(403);
    return response.end("forbidden");
  }
  try {
    if ((await stat(file)).isDirectory()) {
      response.writeHead(302, { location: path + "/" });
      return response.end();
    }
    const body = await readFile(file);
    response.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    response.end(body);
  } catch {
    response.writeHead(404, { "content-type": "text/plain" });
    response.end(`not found: ${path}${path.startsWith("/pkg/") ? " (run scripts/build-web.sh first)" : ""}`);
  }
}

/** Starts the server; resolves to { server, url }. Port 0 picks a free port. */
export function serve({ port = 8080, host = "127.0.0.1" } = {}) {
  const server = createServer((request, response) => {
    respond(request, response).catch((error) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => done({ server, url: `http://${host}:${server.address().port}` }));
  });
}

function usage() {
  return "usage: node web/serve.mjs [--port PORT] [--host ADDRESS]\n" +
    "Serves the browser virtual terminal at http://ADDRESS:PORT/app/ (default 127.0.0.1:8080).";
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const options = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--help" || args[i] === "-h") {
      console.log(usage());
      process.exit(0);
    } else if (args[i] === "--port" && /^\d+$/.test(args[i + 1] ?? "")) {
      options.port = Number(args[++i]);
    } else if (args[i] === "--host" && args[i + 1]) {
      options.host = args[++i];
    } else {
      console.error(`unknown argument ${args[i]}\n${usage()}`);
      process.exit(2);
    }
  }
  serve(options).then(
    ({ url }) => console.log(`the virtual terminal: ${url}/app/   (vectors in this browser: ${url}/vectors/browser.html)`),
    (error) => {
      console.error(`cannot listen: ${error.message}`);
      process.exit(1);
    },
  );
}
