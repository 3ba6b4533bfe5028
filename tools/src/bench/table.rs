//! The printed result: sections of rows, each a figure with an optional comparison and target.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub what: String,
    pub figure: String,
    /// A ratio or other comparison, e.g. `1.21× native`.
    pub compared: String,
    /// The target and whether this run met it, e.g. `≤ 1.3×: met`.
    pub target: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub title: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    pub sections: Vec<Section>,
}

impl Table {
    pub fn section(&mut self, title: &str) {
        self.sections.push(Section {
            title: title.to_owned(),
            rows: Vec::new(),
        });
    }

    pub fn row(&mut self, what: &str, figure: String, compared: String, target: String) {
        if self.sections.is_empty() {
            self.section("");
        }
        if let Some(section) = self.sections.last_mut() {
            section.rows.push(Row {
                what: what.to_owned(),
                figure,
                compared,
                target,
            });
        }
    }

    /// Fixed-width text, one section after another.
    pub fn render(&self) -> String {
        let width = |f: fn(&Row) -> usize| {
            self.sections
                .iter()
                .flat_map(|s| s.rows.iter())
                .map(f)
                .max()
                .unwrap_or(0)
        };
        let (w_what, w_figure, w_compared) = (
            width(|r| r.what.chars().count()),
            width(|r| r.figure.chars().count()),
            width(|r| r.compared.chars().count()),
        );
        let mut out = String::new();
        for section in &self.sections {
            out.push_str(&format!("\n{}\n", section.title));
            for row in &section.rows {
                let line = format!(
                    "  {:<w_what$}  {:>w_figure$}  {:<w_compared$}  {}",
                    row.what, row.figure, row.compared, row.target
                );
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        out
    }
}

/// `met` / `not met` for a figure against a target.
pub fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}
