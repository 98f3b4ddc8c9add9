# Reference values for src/stats/rmcorr.ts.
# The rmcorr package is not installed, so rmcorr is computed from its definition,
# exactly as rmcorr::rmcorr does it (lm ANCOVA, drop1 F test, psych::r.con with
# n = df + 2 as in rmcorr >= 0.5.4), and the published values are recorded beside it.
# Run from the repository root:  Rscript test/reference/rmcorr.R
source("test/reference/json.R")
rmcorr_def <- function(participant, m1, m2) {
  d <- na.omit(data.frame(P = factor(participant), m1 = m1, m2 = m2))
  fit <- lm(m2 ~ P + m1, data = d)             # lm drops unused participant levels
  b <- coef(fit)[["m1"]]
  t3 <- drop1(fit, ~., test = "F")
  ss_x <- t3$`Sum of Sq`[3]
  ss_res <- t3$RSS[1]
  r <- sign(b) * sqrt(ss_x / (ss_x + ss_res))
  df <- fit$df.residual
  list(r = r, df = df, p = t3$`Pr(>F)`[3],
       ci = I(as.numeric(psych::r.con(r, df + 2, p = 0.95))),
       ci_old_pre054 = I(as.numeric(psych::r.con(r, df, p = 0.95))),
       n_obs = nrow(d), n_clients = nlevels(droplevels(d$P)))
}
cases <- list()
add <- function(name, fixture, participant, m1, m2, cols) {
  res <- rmcorr_def(participant, m1, m2)
  cases[[length(cases) + 1]] <<- c(list(name = name, fixture = fixture, columns = I(cols)), res)
}
b <- read.csv("fixtures/reference/bland1995.csv")
add("bland1995", "bland1995.csv", b$Subject, b$PaCO2, b$pH, c("Subject", "PaCO2", "pH"))
g <- read.csv("fixtures/reference/gilden2010.csv")
add("gilden2010", "gilden2010.csv", g$sub, g$rt, g$acc, c("sub", "rt", "acc"))
z <- read.csv("fixtures/reference/raz2005.csv")
add("raz2005", "raz2005.csv", z$Participant, z$Age, z$Volume, c("Participant", "Age", "Volume"))
m <- read.csv("fixtures/reference/marusich2016_exp2.csv")
add("marusich2016_exp2", "marusich2016_exp2.csv", m$Pair, m$HVT_capture, m$MARS, c("Pair", "HVT_capture", "MARS"))

# Simulated sessions with single-pair clients, all-missing clients and NA rows.
set.seed(2017)
k <- 12
sizes <- c(1, 1, 2, 3, 5, 8, 6, 4, 10, 7, 2, 1)
client <- rep(sprintf("c%02d", 1:k), sizes)
u <- rep(rnorm(k, 0, 3), sizes)
x <- u + rnorm(length(client))
y <- 20 + 2 * u - 0.6 * (x - u) + rnorm(length(client))
x[c(4, 9)] <- NA; y[c(15)] <- NA
client <- c(client, "c13", "c13"); x <- c(x, NA, 1); y <- c(y, 2, NA)   # c13 has no complete pair
sim <- rmcorr_def(client, x, y)
cases[[length(cases) + 1]] <- c(list(name = "simulated_singletons_na", fixture = NULL,
  client = I(client), x = I(x), y = I(y)), sim)
# the same without single-pair clients: identical r and df
keep <- client %in% names(which(table(client[!is.na(x) & !is.na(y)]) >= 2))
sim2 <- rmcorr_def(client[keep], x[keep], y[keep])

out <- list(
  generator = "test/reference/rmcorr.R",
  r_version = R.version.string,
  psych_version = as.character(packageVersion("psych")),
  cases = cases,
  singletons_dropped = list(r = sim2$r, df = sim2$df, n_obs = sim2$n_obs, n_clients = sim2$n_clients),
  published = list(
    source = "rmcorr package tests and vignette CI_fix (lmarusich/rmcorr)",
    bland1995 = list(r = -0.5067697, df = 38, p = 0.0008471081, ci = I(c(-0.7067146, -0.2318631))),
    gilden2010 = list(r = -0.406097, df = 32, p = 0.01717),
    raz2005 = list(ci = I(c(-0.804153, -0.566080)))
  )
)
write_json_file(out, "test/reference/rmcorr.json")
