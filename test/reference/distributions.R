# Reference values for src/stats/distributions.ts (with normal.ts and special.ts).
# Run from the repository root:  Rscript test/reference/distributions.R
# Writes test/reference/distributions.json (inputs + R outputs at full precision).
source("test/reference/json.R")

dfs <- c(0.5, 1, 1.5, 2, 2.7, 3, 5, 7.3, 10, 17.3, 30, 100, 1000, 1e5, 1e7)
ts <- c(0, 0.1, 0.5, 1, 1.96, 2.5, 5, 10, 20, 30, 40, 100, 1e3, 1e5, 1e10, 1e50, 1e100, 1e150, 1e250)

pt_rows <- list()
for (df in dfs) for (t in ts) {
  lo <- pt(-t, df)                       # lower tail at -t (small)
  if (lo < 1e-300) next
  pt_rows[[length(pt_rows) + 1]] <- list(
    t = t, df = df,
    lower_neg = lo,                      # pt(-t, df)
    upper_pos = pt(t, df, lower.tail = FALSE),
    cdf_pos = pt(t, df),                 # pt(t, df)
    dens = dt(t, df)
  )
}

ps <- c(1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.025, 0.05, 0.1, 0.3, 0.49, 0.5, 0.7, 0.9, 0.975, 0.995, 0.9999)
qt_rows <- list()
for (df in dfs) for (p in ps) {
  q <- qt(p, df)
  if (!is.finite(q)) next
  # roundtrip = pt(q, df): R's qt is itself inexact in the far tail for small df
  # (e.g. qt(1e-300, 1.5) gives pt(q) = 9.85e-301); the test uses it to tell.
  qt_rows[[length(qt_rows) + 1]] <- list(p = p, df = df, q = q, roundtrip = pt(q, df))
}

zs <- c(-38, -37.5, -30, -20, -10, -8, -6, -5.657, -5, -3, -1.96, -1, -0.6744, -0.5, -0.1, 0, 0.1, 0.5, 0.6745, 1, 1.96, 3, 5, 8)
pnorm_rows <- lapply(zs, function(z) list(z = z, p = pnorm(z), upper = pnorm(z, lower.tail = FALSE)))
qnorm_ps <- c(1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.025, 0.05, 0.075, 0.1, 0.3, 0.5, 0.7, 0.925, 0.975, 0.999, 1 - 1e-10)
qnorm_rows <- lapply(qnorm_ps, function(p) list(p = p, q = qnorm(p)))

pf_rows <- list()
for (d1 in c(1, 2, 3.5, 10, 40, 1000)) for (d2 in c(1, 5, 12.7, 50, 1000, 1e5)) for (f in c(0.01, 0.5, 0.9, 1, 1.1, 2, 5, 20, 100, 1e4)) {
  pf_rows[[length(pf_rows) + 1]] <- list(f = f, d1 = d1, d2 = d2,
    lower = pf(f, d1, d2), upper = pf(f, d1, d2, lower.tail = FALSE))
}

chisq_rows <- list()
for (k in c(1, 2, 3.3, 10, 100)) for (x in c(0.01, 0.5, 1, 3, 10, 50, 200, 1000)) {
  chisq_rows[[length(chisq_rows) + 1]] <- list(x = x, k = k,
    lower = pchisq(x, k), upper = pchisq(x, k, lower.tail = FALSE))
}

out <- list(
  generator = "test/reference/distributions.R",
  r_version = R.version.string,
  pt = pt_rows, qt = qt_rows, pnorm = pnorm_rows, qnorm = qnorm_rows,
  pf = pf_rows, pchisq = chisq_rows
)
write_json_file(out, "test/reference/distributions.json")
