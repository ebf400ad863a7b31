#pragma once
/// `bubblesim report`: one self-contained HTML page of charts (inline SVG and CSS; no script, no
/// link to anything outside the file) from the output folder of `run --out` or from a Monte
/// Carlo results database (`mc --db`, `sweep --db`). What each chart shows is in docs/report.md.
///
/// Example:
///
///     io::Report report = io::make_report("out/");          // or "runs.db"
///     io::write_file_atomic("report.html", report.html);
///     for (const io::ReportChart& c : report.charts) {     // --svg DIR
///       io::write_file_atomic(dir / (c.name + ".svg"), io::svg::standalone(c.svg));
///     }

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bsim::io {

/// RESULTS is neither a run output folder nor a file, or a run folder's files cannot be read
/// (missing, or a value that is not a number). The message names the file and, where it applies,
/// the line and column. A file that is not a results database raises DatabaseError instead.
class ReportInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One chart of a report.
struct ReportChart {
  std::string name;   ///< a file stem for `--svg DIR`, e.g. "spot_price"
  std::string title;
  std::string svg;    ///< an inline `<svg>` element (svg::standalone makes it a file)
};

/// A report: the whole page and its charts, in page order.
struct Report {
  std::string html;
  std::vector<ReportChart> charts;
};

/// Who makes a report: stated in its "How these results were made" section, beside the version
/// and command line that made the results.
struct ReportMaker {
  std::string version;  ///< the bubblesim version making the report, e.g. "0.9.0"
};

/// The report of `results`: a folder is read as a run output folder (timeseries.csv and
/// summary.json; network.json and run.json when there), a file as a results database. The same
/// input gives the same bytes. Throws ReportInputError or DatabaseError (bad input),
/// std::runtime_error otherwise.
Report make_report(const std::filesystem::path& results, const ReportMaker& maker = {});

/// make_report(results, maker).html.
std::string report_html(const std::filesystem::path& results, const ReportMaker& maker = {});

/// A comma-separated table without quoting (the shape of timeseries.csv): a header line, then
/// rows with as many fields.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  /// The column's index; throws ReportInputError naming `source` when there is none.
  [[nodiscard]] std::size_t column(std::string_view name, const std::string& source) const;
};

/// Parses `text`; throws ReportInputError as `source:line: message` for a row with the wrong
/// number of fields or for an empty text.
CsvTable parse_csv(std::string_view text, const std::string& source);

}  // namespace bsim::io
