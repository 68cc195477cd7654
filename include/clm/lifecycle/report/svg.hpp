#pragma once
// Inline-SVG charts and a self-contained HTML page for the lifecycle report (render.hpp):
// no scripts, no network, one file. Each chart is an <svg class="chart" id="..."> with a
// title; every text is escaped.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace clm::report {

inline std::string num(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

inline std::string escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// A tick label: 3 significant digits, thousands and millions as k and M.
inline std::string tick(double v) {
  const double a = std::abs(v);
  if (a >= 1e6) return num(v / 1e6) + "M";
  if (a >= 1e3) return num(v / 1e3) + "k";
  return num(v);
}

/// A plot area of w x h pixels with margins, mapping data ranges to pixels.
struct frame {
  double w = 560, h = 300, left = 60, right = 20, top = 30, bottom = 45;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  double px(double x) const { return left + (x - x0) / (x1 - x0) * (w - left - right); }
  double py(double y) const { return h - bottom - (y - y0) / (y1 - y0) * (h - top - bottom); }
};

inline std::string svg_open(const std::string& id, const frame& f, const std::string& title) {
  return "<svg class=\"chart\" id=\"" + id + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(f.w, 6) +
         "\" height=\"" + num(f.h, 6) + "\" viewBox=\"0 0 " + num(f.w, 6) + " " + num(f.h, 6) + "\" role=\"img\">" +
         "<title>" + escape(title) + "</title><text x=\"" + num(f.w / 2, 6) +
         "\" y=\"18\" text-anchor=\"middle\" class=\"t\">" + escape(title) + "</text>";
}

/// Tick positions in [lo, hi]: multiples of a round step (1, 2, 2.5 or 5 times a power of
/// ten) giving three to six ticks, so labels read 0, 10k, 20k rather than 0, 1.19k, 2.38k.
inline std::vector<double> nice_ticks(double lo, double hi) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  const double raw = (hi - lo) / 4.0, p = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10.0 * p;
  for (const double m : {1.0, 2.0, 2.5, 5.0}) {
    if (m * p >= raw) {
      step = m * p;
      break;
    }
  }
  std::vector<double> t;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi * (1 + 1e-12) + 1e-300; v += step) t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return t;
}

/// Axes with round ticks and labels.
inline std::string axes(const frame& f, const std::string& xlabel, const std::string& ylabel, bool x_ticks = true) {
  std::string s = "<g class=\"axis\"><line x1=\"" + num(f.left, 6) + "\" y1=\"" + num(f.py(f.y0), 6) + "\" x2=\"" +
                  num(f.w - f.right, 6) + "\" y2=\"" + num(f.py(f.y0), 6) + "\"/><line x1=\"" + num(f.left, 6) +
                  "\" y1=\"" + num(f.top, 6) + "\" x2=\"" + num(f.left, 6) + "\" y2=\"" + num(f.py(f.y0), 6) + "\"/>";
  for (const double y : nice_ticks(f.y0, f.y1)) {
    s += "<text x=\"" + num(f.left - 6, 6) + "\" y=\"" + num(f.py(y) + 4, 6) + "\" text-anchor=\"end\">" + tick(y) + "</text>";
  }
  if (x_ticks) {
    for (const double x : nice_ticks(f.x0, f.x1)) {
      s += "<text x=\"" + num(f.px(x), 6) + "\" y=\"" + num(f.h - f.bottom + 16, 6) + "\" text-anchor=\"middle\">" +
           tick(x) + "</text>";
    }
  }
  s += "<text x=\"" + num((f.left + f.w - f.right) / 2, 6) + "\" y=\"" + num(f.h - 6, 6) +
       "\" text-anchor=\"middle\">" + escape(xlabel) + "</text>";
  s += "<text transform=\"translate(14," + num((f.top + f.h - f.bottom) / 2, 6) +
       ") rotate(-90)\" text-anchor=\"middle\">" + escape(ylabel) + "</text></g>";
  return s;
}

struct series {
  std::string name, colour;
  std::vector<double> x, y;
  bool dashed = false;
};

/// Lines through (x, y) points, with a legend.
inline std::string line_chart(const std::string& id, const std::string& title, const std::vector<series>& lines,
                              const std::string& xlabel, const std::string& ylabel) {
  frame f;
  f.x0 = f.y0 = 1e300;
  f.x1 = f.y1 = -1e300;
  for (const auto& l : lines) {
    for (const double v : l.x) f.x0 = std::min(f.x0, v), f.x1 = std::max(f.x1, v);
    for (const double v : l.y) f.y0 = std::min(f.y0, v), f.y1 = std::max(f.y1, v);
  }
  f.y0 = std::min(f.y0, 0.0);
  if (f.x1 <= f.x0) f.x1 = f.x0 + 1;
  if (f.y1 <= f.y0) f.y1 = f.y0 + 1;
  std::string s = svg_open(id, f, title) + axes(f, xlabel, ylabel);
  double ly = f.top + 8;
  for (const auto& l : lines) {
    s += "<polyline fill=\"none\" stroke=\"" + l.colour + "\" stroke-width=\"2\"" +
         (l.dashed ? " stroke-dasharray=\"5,4\"" : "") + " points=\"";
    for (std::size_t k = 0; k < l.x.size(); ++k) s += num(f.px(l.x[k]), 6) + "," + num(f.py(l.y[k]), 6) + " ";
    s += "\"/><rect x=\"" + num(f.left + 12, 6) + "\" y=\"" + num(ly - 8, 6) + "\" width=\"12\" height=\"4\" fill=\"" +
         l.colour + "\"/><text x=\"" + num(f.left + 30, 6) + "\" y=\"" + num(ly - 3, 6) + "\">" + escape(l.name) +
         "</text>";
    ly += 16;
  }
  return s + "</svg>";
}

/// Vertical bars with labels under them.
inline std::string bar_chart(const std::string& id, const std::string& title, const std::vector<std::string>& labels,
                             const std::vector<double>& values, const std::string& ylabel, const std::string& colour) {
  frame f;
  f.bottom = 90;
  f.x0 = 0;
  f.x1 = static_cast<double>(std::max<std::size_t>(1, values.size()));
  f.y1 = 0;
  for (const double v : values) f.y1 = std::max(f.y1, v);
  if (f.y1 <= 0) f.y1 = 1;
  std::string s = svg_open(id, f, title) + axes(f, "", ylabel, false);
  const double bw = (f.px(1) - f.px(0)) * 0.8;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const double x = f.px(static_cast<double>(k)) + bw * 0.125, y = f.py(values[k]);
    s += "<rect x=\"" + num(x, 6) + "\" y=\"" + num(y, 6) + "\" width=\"" + num(bw, 6) + "\" height=\"" +
         num(f.py(0) - y, 6) + "\" fill=\"" + colour + "\"><title>" + escape(labels[k]) + ": " + num(values[k], 6) +
         "</title></rect><text transform=\"translate(" + num(x + bw / 2, 6) + "," + num(f.py(0) + 12, 6) +
         ") rotate(-40)\" text-anchor=\"end\">" + escape(labels[k]) + "</text>";  // ends under its bar: none runs off
  }
  return s + "</svg>";
}

/// A histogram of values (bins equal in width from the minimum, or 0, to the 99th
/// percentile; the values above it are counted in the title, not drawn).
inline std::string histogram(const std::string& id, const std::string& title, std::vector<double> v,
                             const std::string& xlabel, std::size_t bins = 30) {
  std::sort(v.begin(), v.end());
  frame f;
  if (v.empty()) v.push_back(0.0);
  f.x0 = v.front();
  f.x1 = v[static_cast<std::size_t>(0.99 * static_cast<double>(v.size() - 1))];
  if (f.x1 <= f.x0) f.x1 = f.x0 + 1;
  if (f.x0 >= 0.0 && f.x0 < 0.05 * f.x1) f.x0 = 0.0;  // start at 0, not at a smallest value near it
  std::vector<double> count(bins, 0.0);
  std::size_t above = 0;
  for (const double x : v) {
    if (x > f.x1) {  // beyond the shown range: counted in the title, not piled into the last bar
      ++above;
      continue;
    }
    const auto b = static_cast<std::size_t>((x - f.x0) / (f.x1 - f.x0) * static_cast<double>(bins));
    count[std::min(b, bins - 1)] += 1.0;
  }
  f.y1 = *std::max_element(count.begin(), count.end());
  const std::string full_title =
      above == 0 ? title : title + " (" + std::to_string(above) + " above " + tick(f.x1) + " not shown)";
  std::string s = svg_open(id, f, full_title) + axes(f, xlabel, "customers");
  const double bw = (f.x1 - f.x0) / static_cast<double>(bins);
  for (std::size_t b = 0; b < bins; ++b) {
    const double x = f.px(f.x0 + bw * static_cast<double>(b)), y = f.py(count[b]);
    s += "<rect x=\"" + num(x, 6) + "\" y=\"" + num(y, 6) + "\" width=\"" + num(f.px(f.x0 + bw) - f.px(f.x0) - 1, 6) +
         "\" height=\"" + num(f.py(0) - y, 6) + "\" fill=\"#4c78a8\"/>";
  }
  return s + "</svg>";
}

/// A heat map: value(r, c) in [0, 1] for rows (y, top = last) and columns (x).
inline std::string heatmap(const std::string& id, const std::string& title, const std::vector<std::vector<double>>& v,
                           double x_max, double y_max, const std::string& xlabel, const std::string& ylabel) {
  frame f;
  f.right = 70;
  f.x1 = x_max;
  f.y1 = y_max;
  std::string s = svg_open(id, f, title) + axes(f, xlabel, ylabel);
  const std::size_t rows = v.size(), cols = rows ? v[0].size() : 0;
  const double cw = (f.w - f.left - f.right) / static_cast<double>(std::max<std::size_t>(1, cols));
  const double ch = (f.h - f.top - f.bottom) / static_cast<double>(std::max<std::size_t>(1, rows));
  const auto colour = [](double p) {  // dark blue (0) to yellow (1)
    const int r = static_cast<int>(30 + 225 * p), g = static_cast<int>(40 + 190 * p), b = static_cast<int>(120 - 90 * p);
    char buf[16];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
    return std::string(buf);
  };
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      if (std::isnan(v[r][c])) continue;  // not observed: left blank
      s += "<rect x=\"" + num(f.left + cw * static_cast<double>(c), 6) + "\" y=\"" +
           num(f.h - f.bottom - ch * static_cast<double>(r + 1), 6) + "\" width=\"" + num(cw + 0.5, 6) + "\" height=\"" +
           num(ch + 0.5, 6) + "\" fill=\"" + colour(std::clamp(v[r][c], 0.0, 1.0)) + "\"/>";
    }
  }
  for (int k = 0; k <= 4; ++k) {  // the colour scale
    const double y = f.top + (f.h - f.top - f.bottom) * (1.0 - k / 4.0);
    s += "<rect x=\"" + num(f.w - f.right + 10, 6) + "\" y=\"" + num(y - 10, 6) + "\" width=\"14\" height=\"14\" fill=\"" +
         colour(k / 4.0) + "\"/><text x=\"" + num(f.w - f.right + 28, 6) + "\" y=\"" + num(y + 1, 6) + "\">" +
         num(k / 4.0) + "</text>";
  }
  return s + "</svg>";
}

/// An HTML table from a header and rows of cells (already text).
inline std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::string s = "<table><tr>";
  for (const auto& h : header) s += "<th>" + escape(h) + "</th>";
  s += "</tr>";
  for (const auto& r : rows) {
    s += "<tr>";
    for (const auto& c : r) s += "<td>" + escape(c) + "</td>";
    s += "</tr>";
  }
  return s + "</table>";
}

inline std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) +
         "</title><style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}"
         "h1{font-size:22px}h2{font-size:17px;margin-top:28px}.grid{display:flex;flex-wrap:wrap;gap:16px}"
         "svg.chart{background:#fafafa;border:1px solid #ddd}svg text{font-size:11px;fill:#333}"
         "svg text.t{font-size:13px;font-weight:bold}.axis line{stroke:#888}"
         "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
         "th{background:#eee}.note{color:#555;font-size:13px}</style></head><body><h1>" +
         escape(title) + "</h1>" + body + "</body></html>\n";
}

}  // namespace clm::report
