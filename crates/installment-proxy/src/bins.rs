//! The BIN table: a CSV file of 8-digit prefix ranges, loaded once at start.

use installment_core::{BinRange, BinTable, wire::BinRangeWire};
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
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("BIN table header: {e}"))?
        .clone();
    let mut ranges = Vec::new();
    for record in reader.deserialize::<BinRangeWire>() {
        let wire = record.map_err(|e| {
            // Name the column, not just its index.
            let column = match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => err
                    .field()
                    .and_then(|i| headers.get(i as usize))
                    .map(|name| format!(" (column {name})"))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            format!("BIN table{column}: {e}")
        })?;
        let row = format!("{}..{}", wire.first, wire.last);
        ranges.push(BinRange::try_from(wire).map_err(|e| format!("BIN table row {row}: {e}"))?);
    }
    BinTable::new(ranges).map_err(|e| format!("BIN table: {e}"))
}

/// Loads the table named in the configuration, or the sample table.
///
/// ```
/// let sample = installment_proxy::bins::load(None)?;
/// assert!(sample.lookup("91121050")?.is_some_and(|range| range.family == "Karta Pokupok"));
/// assert!(installment_proxy::bins::load(Some("/nonexistent.csv".as_ref())).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load(path: Option<&Path>) -> Result<BinTable, String> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("bin_table {}: {e}", path.display()))?;
            parse(&text)
        }
        None => parse(SAMPLE_TABLE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_are_named() {
        let header = "first,last,bank,bank_code,family,association,card_type,commercial,country\n";
        let cases = [
            ("4001,40019999,B,,F,VISA,CREDIT_CARD,false,BY", "4001"),
            ("40010000,40019999,B,,F,SOLO,CREDIT_CARD,false,BY", "SOLO"),
            (
                "40010000,40019999,B,x,F,VISA,CREDIT_CARD,false,BY",
                "bank_code",
            ),
        ];
        for (row, named) in cases {
            let error = parse(&format!("{header}{row}\n")).unwrap_err();
            assert!(error.contains(named), "{named}: {error}");
        }
        let overlap = format!(
            "{header}40010000,40019999,B,,F,VISA,CREDIT_CARD,false,BY\n40015000,40015999,B,,F,VISA,CREDIT_CARD,false,BY\n"
        );
        assert!(parse(&overlap).is_err());
    }
}
