//! The BIN table: a CSV file of 8-digit prefix ranges, loaded once at start.

use installment_core::{BinRange, BinTable, BinTableBuilder, CardAssociation, CardType};
use std::path::Path;

/// The sample table the sandbox ships with.
pub const SAMPLE_TABLE: &str = include_str!("../sandbox/bins.csv");

/// Parses a BIN table CSV (header `first,last,bank,bank_code,family,association,card_type,
/// commercial,country`; `#` starts a comment line), naming the line of any bad row.
///
/// ```
/// let table = installment_proxy::bins::parse(installment_proxy::bins::SAMPLE_TABLE)?;
/// assert_eq!(table.lookup("54066712")?.unwrap().family, "Bonus");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse(csv_text: &str) -> Result<BinTable, String> {
    read(csv_text.as_bytes())
}

/// Reads a BIN table from `source` as it streams in: a million ranges never sit in memory
/// as text, only as the table's 12 bytes each (see [`BinTable`]).
fn read(source: impl std::io::Read) -> Result<BinTable, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(Uncommented::new(std::io::BufReader::new(source)));
    let headers = reader
        .headers()
        .map_err(|e| format!("BIN table header: {e}"))?
        .clone();
    let mut table = BinTableBuilder::default();
    let mut record = csv::StringRecord::new();
    // One range's fields, refilled for each row: a million rows allocate nothing each.
    let mut range = BinRange {
        first: 0,
        last: 0,
        bank: String::new(),
        bank_code: None,
        family: String::new(),
        association: CardAssociation::Visa,
        card_type: CardType::Credit,
        commercial: false,
        country: String::new(),
    };
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| reader.get_ref().line_in_file(p.line()));
                return Err(at_line(line, &e.to_string()));
            }
        }
        let passed = record.position().map_or(0, csv::Position::line);
        let line = reader.get_ref().line_in_file(passed);
        let row: Row<'_> = record.deserialize(Some(&headers)).map_err(|e| {
            // Name the column, not just its index.
            let column = match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => err
                    .field()
                    .and_then(|i| headers.get(i as usize))
                    .map(|name| format!("column {name}: {err}"))
                    .unwrap_or_else(|| err.to_string()),
                _ => e.to_string(),
            };
            format!("BIN table: line {line}: {column}")
        })?;
        let prefix = |text: &str| BinRange::span(text).ok().filter(|_| text.len() == 8);
        let (Some((first, _)), Some((last, _))) = (prefix(row.first), prefix(row.last)) else {
            let bad = if prefix(row.first).is_none() {
                row.first
            } else {
                row.last
            };
            return Err(format!(
                "BIN table: line {line}: BIN \"{bad}\" must be 8 digits (first and last are 8-digit prefixes)"
            ));
        };
        (range.first, range.last) = (first, last);
        for (field, text) in [
            (&mut range.bank, row.bank),
            (&mut range.family, row.family),
            (&mut range.country, row.country),
        ] {
            field.clear();
            field.push_str(text);
        }
        range.bank_code = row.bank_code;
        range.association = row.association;
        range.card_type = row.card_type;
        range.commercial = row.commercial;
        table.push(line, &range).map_err(|e| e.to_string())?;
    }
    table.build().map_err(|e| e.to_string())
}

/// The file without its `#` comment lines and blank lines, which csv would skip itself but
/// then miscount: it numbers the record after a skipped line as if the line were not there.
/// This keeps count, so a refused row is named by the line an editor shows.
struct Uncommented<R> {
    lines: R,
    line: Vec<u8>,
    at: usize,
    /// Lines passed on to csv so far.
    passed: u64,
    /// Where the count of lines left out changes: (first line passed after, left out so far).
    left_out: Vec<(u64, u64)>,
}

impl<R> Uncommented<R> {
    fn new(lines: R) -> Self {
        Self {
            lines,
            line: Vec::new(),
            at: 0,
            passed: 0,
            left_out: Vec::new(),
        }
    }

    /// The file's line number of csv's line `passed` (1 for the first it was given).
    fn line_in_file(&self, passed: u64) -> u64 {
        let at = self.left_out.partition_point(|&(from, _)| from <= passed);
        passed + at.checked_sub(1).map_or(0, |at| self.left_out[at].1)
    }
}

impl<R: std::io::BufRead> std::io::Read for Uncommented<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.line.len() {
            let mut skipped = 0;
            loop {
                self.line.clear();
                self.at = 0;
                if self.lines.read_until(b'\n', &mut self.line)? == 0 {
                    return Ok(0);
                }
                let text = self.line.trim_ascii();
                if !text.is_empty() && !text.starts_with(b"#") {
                    break;
                }
                skipped += 1;
            }
            self.passed += 1;
            if skipped > 0 {
                let before = self.left_out.last().map_or(0, |&(_, count)| count);
                self.left_out.push((self.passed, before + skipped));
            }
        }
        let count = out.len().min(self.line.len() - self.at);
        out[..count].copy_from_slice(&self.line[self.at..self.at + count]);
        self.at += count;
        Ok(count)
    }
}

/// One row as csv reads it, borrowing its text.
#[derive(serde::Deserialize)]
struct Row<'a> {
    first: &'a str,
    last: &'a str,
    bank: &'a str,
    bank_code: Option<u32>,
    family: &'a str,
    association: CardAssociation,
    card_type: CardType,
    commercial: bool,
    country: &'a str,
}

fn at_line(line: Option<u64>, problem: &str) -> String {
    match line {
        Some(line) => format!("BIN table: line {line}: {problem}"),
        None => format!("BIN table: {problem}"),
    }
}

/// Loads the table named in the configuration, or the sample table, and says in the log how
/// many ranges it holds and how long reading them took.
///
/// ```
/// let sample = installment_proxy::bins::load(None)?;
/// assert!(sample.lookup("91121050")?.is_some_and(|range| range.family == "Karta Pokupok"));
/// assert!(installment_proxy::bins::load(Some("/nonexistent.csv".as_ref())).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load(path: Option<&Path>) -> Result<BinTable, String> {
    let started = std::time::Instant::now();
    let table = match path {
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| format!("bin_table {}: {e}", path.display()))?;
            read(file).map_err(|e| format!("bin_table {}: {e}", path.display()))?
        }
        None => parse(SAMPLE_TABLE)?,
    };
    tracing::info!(
        ranges = table.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "BIN table loaded"
    );
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_are_refused_by_line() {
        let header = "first,last,bank,bank_code,family,association,card_type,commercial,country\n";
        let good = "40010000,40019999,B,,F,VISA,CREDIT_CARD,false,BY\n";
        let cases = [
            // (rows after the header, what the error names)
            (
                "4001,40019999,B,,F,VISA,CREDIT_CARD,false,BY\n",
                "line 2: BIN \"4001\"",
            ),
            (
                "40010000,40019999,B,,F,SOLO,CREDIT_CARD,false,BY\n",
                "line 2: unknown variant `SOLO`",
            ),
            (
                "40010000,40019999,B,x,F,VISA,CREDIT_CARD,false,BY\n",
                "line 2: column bank_code",
            ),
            ("40010000,40019999,B,,F,VISA\n", "line 2"),
            (
                "40019999,40010000,B,,F,VISA,CREDIT_CARD,false,BY\n",
                "line 2: range 40019999..40010000 is reversed",
            ),
            (
                &format!("{good}# a comment\n40015000,40015999,B,,F,VISA,CREDIT_CARD,false,BY\n"),
                "line 4: range 40015000..40015999 overlaps 40010000..40019999 of line 2",
            ),
            (
                &format!(
                    "40020000,40029999,B,,F,VISA,CREDIT_CARD,false,BY\n{good}40005000,40010000,B,,F,VISA,CREDIT_CARD,false,BY\n"
                ),
                "line 3: range 40010000..40019999 overlaps 40005000..40010000 of line 4",
            ),
        ];
        for (rows, named) in cases {
            let error = parse(&format!("{header}{rows}")).unwrap_err();
            assert!(error.contains(named), "{named:?} in {error:?}");
        }
        assert_eq!(parse(&format!("{header}{good}")).unwrap().len(), 1);
    }
}
