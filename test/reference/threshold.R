# Reference values for src/stats/threshold.ts through `alliance trend` (issue 9.1): scores
# with one decimal whose differences sit exactly on a threshold.
#
# Writes fixtures/trend/threshold.csv (300 simulated clients, SRS and ORS to one decimal,
# seeded, and 6 written by hand, below) and test/reference/threshold.json. The counts are made in exact integer
# arithmetic on the scores times 10 (round(x * 10)), independently of the TypeScript code:
#   alliance drop at a session: srs10[previous rated session] - srs10[session] >= 10 (1 point);
#   reliable change (ORS, 5 points): post10 - pre10 >= 50 improved, pre10 - post10 >= 50
#   deteriorated (pre = first, post = last ORS of the client);
#   clinical (ORS <= 25, Miller et al. 2003): ors10 <= 250 at pre and at post;
#   recovered = improved & clinical pre & not clinical post; harmed = deteriorated &
#   not clinical pre & clinical post (Jacobson & Truax 1991).
# The same counts in binary floating point (srs[prev] - srs[cur] >= 1 and so on) are written
# too ("naive"), to show the file exercises the defect: they differ from the exact ones.
# Run: Rscript test/reference/threshold.R
library(jsonlite)

set.seed(20261206)
rows <- list()
for (i in 1:300) {
  k <- sample(4:12, 1)
  srs <- numeric(k)
  ors <- numeric(k)
  srs[1] <- rnorm(1, 36, 2.5)
  ors[1] <- rnorm(1, 19.5, 6)
  for (s in 2:k) {
    srs[s] <- srs[s - 1] + rnorm(1, 0.2, 1.3)
    ors[s] <- ors[s - 1] + rnorm(1, 0.8, 2.5)
  }
  clampr <- function(x) pmin(40, pmax(0, round(x, 1)))
  rows[[i]] <- data.frame(client_id = sprintf("C%03d", i), session = 1:k,
                          srs = sprintf("%.1f", clampr(srs)), ors = sprintf("%.1f", clampr(ors)))
}
# Six clients written by hand with changes of exactly 5 ORS points and drops of exactly 1
# SRS point whose binary differences fall just short (7.2 -> 12.2 is 4.999999999999999).
edge <- data.frame(
  client_id = rep(sprintf("C%03d", 301:306), each = 3), session = rep(1:3, 6),
  srs = c("16.4", "15.4", "15.4",  "8.2", "7.2", "7.2",  "36.4", "35.4", "34.4",
          "30.0", "30.0", "30.0",  "30.0", "30.0", "30.0",  "38.2", "37.2", "37.2"),
  ors = c("7.2", "9.0", "12.2",  "12.2", "10.0", "7.2",  "22.2", "24.0", "27.2",
          "27.2", "25.0", "22.2",  "17.2", "20.0", "22.2",  "30.2", "28.0", "25.2"))
d <- rbind(do.call(rbind, rows), edge)
write.csv(d, "fixtures/trend/threshold.csv", row.names = FALSE, quote = FALSE)

# Read back exactly what the tool reads.
d <- read.csv("fixtures/trend/threshold.csv", colClasses = c("character", "integer", "numeric", "numeric"))
d <- d[order(d$client_id, d$session), ]
drops <- 0; drops_naive <- 0; clients_drop <- 0
cat <- c(recovered = 0, improved = 0, unchanged = 0, deteriorated = 0, harmed = 0)
rel <- c(improved = 0, unchanged = 0, deteriorated = 0)
rel_naive <- c(improved = 0, unchanged = 0, deteriorated = 0)
changes5 <- 0
for (id in unique(d$client_id)) {
  x <- d[d$client_id == id, ]
  s10 <- round(x$srs * 10)
  n <- nrow(x)
  dr <- sum(s10[-n] - s10[-1] >= 10)
  drops <- drops + dr
  clients_drop <- clients_drop + (dr > 0)
  drops_naive <- drops_naive + sum(x$srs[-n] - x$srs[-1] >= 1)
  pre <- x$ors[1]; post <- x$ors[n]
  d10 <- round(post * 10) - round(pre * 10)
  if (abs(d10) == 50) changes5 <- changes5 + 1
  rc <- if (d10 >= 50) "improved" else if (-d10 >= 50) "deteriorated" else "unchanged"
  rcn <- if (post - pre >= 5) "improved" else if (pre - post >= 5) "deteriorated" else "unchanged"
  rel[rc] <- rel[rc] + 1
  rel_naive[rcn] <- rel_naive[rcn] + 1
  cpre <- round(pre * 10) <= 250
  cpost <- round(post * 10) <= 250
  ct <- if (rc == "improved") { if (cpre && !cpost) "recovered" else "improved" } else
        if (rc == "deteriorated") { if (!cpre && cpost) "harmed" else "deteriorated" } else "unchanged"
  cat[ct] <- cat[ct] + 1
}
# Not on track (docs/trend.md): intake tertile bands (type-7 quantiles; a client on a limit
# goes to the lower band), per (band, sessions since intake) the 25th percentile of the
# change so far when the cell has >= 20 values, flagged when strictly below it. In tenths
# (integers); an interpolated quantile is compared after round(q, 6), so a limit that is a
# decimal number up to binary rounding counts as that number.
ntp_counts <- function(scale) {
  ids <- unique(d$client_id)
  intake <- function(x) list(s = x$session[1], v = x$ors[1] * scale)
  vals <- function(v) if (scale == 10) round(v) else v
  iv <- sapply(ids, function(id) vals(intake(d[d$client_id == id, ])$v))
  lim <- unname(quantile(iv, c(1 / 3, 2 / 3), type = 7))
  if (scale == 10) lim <- round(lim, 6)
  band_of <- function(v) 1 + sum(v > lim)
  cellvals <- list()
  for (id in ids) {
    x <- d[d$client_id == id, ]; it <- intake(x); b <- band_of(vals(it$v))
    for (k in seq_len(nrow(x))[-1]) {
      key <- paste(b, x$session[k] - it$s)
      cellvals[[key]] <- c(cellvals[[key]], vals(x$ors[k] * scale) - vals(it$v))
    }
  }
  th <- lapply(cellvals, function(v) if (length(v) >= 20) unname(quantile(v, 0.25, type = 7)) else NA)
  if (scale == 10) th <- lapply(th, function(q) round(q, 6))
  flagged <- 0; current_n <- 0; flags <- 0
  for (id in ids) {
    x <- d[d$client_id == id, ]; it <- intake(x); b <- band_of(vals(it$v))
    f <- 0; current <- FALSE
    for (k in seq_len(nrow(x))[-1]) {
      q <- th[[paste(b, x$session[k] - it$s)]]
      if (is.null(q) || is.na(q)) next
      current <- (vals(x$ors[k] * scale) - vals(it$v)) < q
      if (current) f <- f + 1
    }
    flags <- flags + f; flagged <- flagged + (f > 0); current_n <- current_n + current
  }
  list(clients_flagged = flagged, clients_currently_flagged = current_n, flags = flags)
}

out <- list(
  file = "fixtures/trend/threshold.csv",
  clients = length(unique(d$client_id)), rows = nrow(d),
  drops = drops, clients_with_drop = clients_drop, drops_naive = drops_naive,
  reliable = as.list(rel), reliable_naive = as.list(rel_naive), changes_of_exactly_5 = changes5,
  categories = as.list(cat),
  not_on_track = ntp_counts(10), not_on_track_naive = ntp_counts(1)
)
write_json(out, "test/reference/threshold.json", auto_unbox = TRUE, digits = NA, pretty = TRUE)
