# Reference for src/report/number.ts: how R prints numbers with sprintf("%.nf").
# Run: Rscript test/reference/rounding.R  (writes test/reference/rounding.json)
x <- c(0.125, 0.375, 2.5, 3.5, -0.125, 0.0005, 0.0015, 1.005, 0.2780, -0.5067697, 0.00084710,
       12.345, 0.1 + 0.2, 1e-7, -1e-7, 123456.785, 0.045, 0.055, 0.065, 2.675)
digits <- c(0, 1, 2, 3, 4)
rows <- character(0)
for (v in x) for (d in digits) {
  rows <- c(rows, sprintf('{"x": %s, "digits": %d, "r": "%s"}', sprintf("%.17g", v), d, sprintf(paste0("%.", d, "f"), v)))
}
cat('{\n"r_version": "', R.version.string, '",\n"cases": [\n', paste(rows, collapse = ",\n"), '\n]}\n',
    sep = "", file = "test/reference/rounding.json")
