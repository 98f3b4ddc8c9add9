# Reference for blank session numbers (issue 9.2): fixtures/sessions/blank.csv and
# test/reference/blank-sessions.json.
# Run from the repository root:  Rscript test/reference/blank-sessions.R
#
# The fixture: 40 clients with weekly sessions 1..n (n 5..10), SRS (alliance) and ORS
# (outcome). The session cell is then blanked for every row of clients 1-12 (they must be
# numbered by date), for one row in the middle of clients 13-18 (one free number between
# two numbered sessions: placed by date) and for the last row of clients 19-22 (after the
# last numbered session: placed by date); client 23's blank row has no date either (left
# out). Rows are shuffled, so nothing can rely on file order.
#
# Definition used here (independent of the TypeScript code): every session of a client was
# held in week order, so a row's session number is the rank of its date among the client's
# rows; a blank row without a date has none. Then, with those numbers:
#  lagged   pairs of sessions (s, s + 1) of a client with both values at both;
#           lm(o1 ~ a0 + o0 + factor(client)) and lm(a1 ~ o0 + a0 + factor(client)) (as
#           test/reference/correlate.R): coefficient, SE, residual df, p, n.
#  intake   per measure: clients with a value at some numbered session, and the mean of
#           each client's value at its earliest numbered session with a value.
suppressMessages(library(jsonlite))
set.seed(92)
rows <- list()
for (cl in 1:40) {
  n <- 5 + (cl %% 6)
  start <- as.Date("2024-01-01") + 3 * cl
  a <- round(pmin(40, pmax(0, 32 + rnorm(1, 0, 3) + rnorm(n, 0, 2))))
  o <- round(pmin(40, pmax(0, 18 + 0.8 * (1:n) + rnorm(n, 0, 3))), 1)
  rows[[cl]] <- data.frame(client = sprintf("C%02d", cl), session = 1:n, date = format(start + 7 * (0:(n - 1))), srs = a, ors = o,
                           stringsAsFactors = FALSE)
}
d <- do.call(rbind, rows)
truth <- d$session
blank <- rep(FALSE, nrow(d))
for (cl in 1:40) {
  idx <- which(d$client == sprintf("C%02d", cl))
  if (cl <= 12) blank[idx] <- TRUE
  else if (cl <= 18) blank[idx[3]] <- TRUE
  else if (cl <= 22) blank[idx[length(idx)]] <- TRUE
  else if (cl == 23) blank[idx[2]] <- TRUE
}
out <- d
out$session <- ifelse(blank, "", as.character(d$session))
out$date[d$client == "C23" & blank] <- ""
perm <- sample(nrow(out))
write.csv(out[perm, ], "fixtures/sessions/blank.csv", row.names = FALSE, quote = FALSE, na = "")

# The analysis data: numbers by date rank; the undated blank row has none.
d$session <- truth
d$session[d$client == "C23" & blank] <- NA
names(d)[names(d) == "srs"] <- "a"
names(d)[names(d) == "ors"] <- "o"

lagged <- function(rows) {
  rows <- rows[!is.na(rows$session), ]
  nxt <- rows; nxt$session <- nxt$session - 1
  m <- merge(rows, nxt, by = c("client", "session"), suffixes = c("0", "1"))
  m <- m[complete.cases(m[, c("a0", "o0", "a1", "o1")]), ]
  m$client <- factor(m$client)
  one <- function(f, term) {
    fit <- lm(f, data = m)
    s <- summary(fit)$coefficients
    list(b = s[term, 1], se = s[term, 2], p = s[term, 4], df = fit$df.residual, n = nrow(m))
  }
  list(forward = one(o1 ~ a0 + o0 + client, "a0"), reverse = one(a1 ~ o0 + a0 + client, "o0"))
}
intake <- function(col) {
  r <- d[!is.na(d$session) & !is.na(d[[col]]), ]
  v <- sapply(split(r, r$client), function(g) g[[col]][which.min(g$session)])
  list(clients = length(v), mean = mean(v))
}
res <- list(
  r_version = R.version.string,
  rows = nrow(d), clients = length(unique(d$client)),
  numberedByDateClients = 12, mixedClients = 11, placed = 10, leftOutNoDate = 1,
  lagged = lagged(d),
  intake = list(srs = intake("a"), ors = intake("o"))
)
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/reference/blank-sessions.json")
