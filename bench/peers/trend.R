# Peer for benchmarks: the core of `alliance trend` in R (data.table), as trend.py.
# Per client: first and last outcome (by session), change, reliable change (|change| >= RC points),
# recovery (clinical at the first, not at the last, reliably improved; higher = better, clinical if <= CUT),
# alliance sessions below ALERT and drops of >= DROP from the previous session.
# Usage: Rscript trend.R FILE CLIENT SESSION ALLIANCE OUTCOME [RC=5 CUT=25 ALERT=36 DROP=1]
# Needs Debian packages r-base-core r-cran-data.table.
suppressMessages(library(data.table))
a <- commandArgs(trailingOnly = TRUE)
p <- c(5, 25, 36, 1); given <- as.numeric(a[-(1:5)]); p[seq_along(given)] <- given
rc <- p[1]; cut <- p[2]; alert <- p[3]; drop <- p[4]
d <- fread(a[1], select = a[2:5]); setnames(d, a[2:5], c("client", "session", "a", "y"))
setorder(d, client, session)
g <- d[!is.na(y), .(first = y[1], last = y[.N], n = .N), by = client][n >= 2]
g[, chg := last - first]
imp <- g$chg >= rc; det <- g$chg <= -rc
rec <- imp & g$first <= cut & g$last > cut
al <- d[!is.na(a)]
below <- sum(al$a < alert)
drops <- al[, .(dd = diff(a)), by = client][dd <= -drop, .N]
cat(sprintf("clients=%d mean_change=%.6f improved=%d deteriorated=%d recovered=%d sessions_below=%d drops=%d\n",
            nrow(g), mean(g$chg), sum(imp), sum(det), sum(rec), below, drops))
