# Reference values for src/analysis/correlate (alliance correlate).
# Run from the repository root:  Rscript test/reference/correlate.R
# Writes test/reference/correlate.json: the input rows of each case and R's results.
#
# Definitions (independent of the TypeScript code):
#  pooled   cor.test(x, y) (Pearson) and cor.test(..., method = "spearman", exact = FALSE);
#           Spearman CI: Fisher z with the Bonett-Wright SE sqrt((1 + rho^2/2)/(n - 3)).
#  between  cor.test of per-client means of the paired rows.
#  within   rmcorr's definition: lm(y ~ factor(client) + x); r = sign(b) sqrt(SS_x / (SS_x + SS_res))
#           from the sequential anova; df = residual df; p from t; CI Fisher z with n = df + 2.
#  early    x = alliance at session k (or mean over sessions 1..k), z = outcome at the earliest
#           session with an outcome, y = outcome at the latest session with an outcome (> k and
#           > the intake session). Partial r from the inverse covariance matrix (ppcor's formula,
#           ppcor not installed): -P_xy / sqrt(P_xx P_yy), t with df = n - 3, CI SE 1/sqrt(n - 4).
#           Semi-partial: cor(x, resid(lm(y ~ z))), t with df = n - 3 (ppcor spcor.test
#           statistic), CI SE 1/sqrt(n - 4). Zero-order: cor.test(x, y).
#  lagged   pairs of sessions (s, s + 1) with both values at both;
#           lm(o1 ~ a0 + o0 + factor(client)) and lm(a1 ~ o0 + a0 + factor(client)): coefficient,
#           SE, t, residual df, p, confint.
#  adjust   p.adjust(holm) and p.adjust(BH) over every p of the case.
suppressMessages(library(jsonlite))

fisher_ci <- function(r, n_eff, level = 0.95) {
  if (n_eff <= 3) return(NULL)
  z <- atanh(r); h <- qnorm(1 - (1 - level) / 2) / sqrt(n_eff - 3)
  c(tanh(z - h), tanh(z + h))
}
rt <- function(r, df) list(r = r, df = df, p = 2 * pt(-abs(r * sqrt(df / (1 - r^2))), df))

pooled <- function(d, level) {
  ct <- cor.test(d$x, d$y, conf.level = level)
  sp <- suppressWarnings(cor.test(d$x, d$y, method = "spearman", exact = FALSE))
  rho <- unname(sp$estimate); n <- nrow(d)
  h <- qnorm(1 - (1 - level) / 2) * sqrt((1 + rho^2 / 2) / (n - 3))
  list(
    pearson = list(r = unname(ct$estimate), df = unname(ct$parameter), p = ct$p.value, ci = as.numeric(ct$conf.int), n = n),
    spearman = list(r = rho, df = n - 2, p = sp$p.value, ci = c(tanh(atanh(rho) - h), tanh(atanh(rho) + h)), n = n)
  )
}

between <- function(d, level) {
  m <- aggregate(cbind(x, y) ~ client, data = d, FUN = mean)
  ct <- cor.test(m$x, m$y, conf.level = level)
  list(r = unname(ct$estimate), df = unname(ct$parameter), p = ct$p.value, ci = as.numeric(ct$conf.int), n = nrow(m))
}

within <- function(d, level) {
  d$client <- factor(d$client)
  fit <- lm(y ~ client + x, data = d)
  a <- anova(fit)
  ssx <- a["x", "Sum Sq"]; ssr <- a["Residuals", "Sum Sq"]; df <- a["Residuals", "Df"]
  r <- sign(coef(fit)[["x"]]) * sqrt(ssx / (ssx + ssr))
  p <- a["x", "Pr(>F)"]
  list(r = r, df = df, p = p, ci = fisher_ci(r, df + 2, level), n = nrow(d), clients = nlevels(d$client))
}

early <- function(rows, k, mode, level) {
  out <- list(); xs <- c(); ys <- c(); zs <- c()
  for (cl in unique(rows$client)) {
    r <- rows[rows$client == cl, ]
    if (mode == "session") {
      a <- r$a[r$session == k & !is.na(r$a)]
      if (length(a) == 0) next
      x <- a[1]
    } else {
      a <- r$a[r$session <= k & !is.na(r$a)]
      if (length(a) == 0) next
      x <- mean(a)
    }
    ro <- r[!is.na(r$o), ]
    if (nrow(ro) == 0) next
    s0 <- min(ro$session); s1 <- max(ro$session)
    if (!(s1 > k) || !(s1 > s0)) next
    xs <- c(xs, x); zs <- c(zs, ro$o[ro$session == s0][1]); ys <- c(ys, ro$o[ro$session == s1][1])
  }
  n <- length(xs)
  P <- solve(cov(cbind(xs, ys, zs)))
  pr <- -P[1, 2] / sqrt(P[1, 1] * P[2, 2])
  sr <- cor(xs, resid(lm(ys ~ zs)))
  zt <- cor.test(xs, ys, conf.level = level)
  pt_ <- rt(pr, n - 3); st_ <- rt(sr, n - 3)
  list(
    n = n,
    partial = list(r = pr, df = n - 3, p = pt_$p, ci = fisher_ci(pr, n - 1, level)),
    semipartial = list(r = sr, df = n - 3, p = st_$p, ci = fisher_ci(sr, n - 1, level)),
    zero = list(r = unname(zt$estimate), df = unname(zt$parameter), p = zt$p.value, ci = as.numeric(zt$conf.int))
  )
}

lagged <- function(rows, level) {
  nxt <- rows; nxt$session <- nxt$session - 1
  m <- merge(rows, nxt, by = c("client", "session"), suffixes = c("0", "1"))
  m <- m[complete.cases(m[, c("a0", "o0", "a1", "o1")]), ]
  m$client <- factor(m$client)
  one <- function(f, term) {
    fit <- lm(f, data = m)
    s <- summary(fit)$coefficients
    ci <- confint(fit, term, level = level)
    list(b = s[term, 1], se = s[term, 2], t = s[term, 3], p = s[term, 4], df = fit$df.residual,
         ci = as.numeric(ci), n = nrow(m), clients = nlevels(droplevels(m$client)))
  }
  list(forward = one(o1 ~ a0 + o0 + client, "a0"), reverse = one(a1 ~ o0 + a0 + client, "o0"))
}

full_case <- function(name, rows, k = 3, mode = "session", level = 0.95) {
  d <- rows[!is.na(rows$a) & !is.na(rows$o), c("client", "x" = "a", "o")]
  names(d) <- c("client", "x", "y")
  res <- list(
    name = name, k = k, mode = mode, level = level,
    rows = rows,
    pooled = pooled(d, level), between = between(d, level), within = within(d, level),
    early = early(rows, k, mode, level), lagged = lagged(rows, level)
  )
  ps <- c(res$pooled$pearson$p, res$between$p, res$within$p,
          res$early$partial$p, res$early$semipartial$p, res$early$zero$p,
          res$lagged$forward$p, res$lagged$reverse$p)
  res$family <- list(p = ps, holm = p.adjust(ps, "holm"), bh = p.adjust(ps, "BH"))
  res
}

simulate <- function(seed, clients, sign_within = 1) {
  set.seed(seed)
  out <- NULL
  for (i in seq_len(clients)) {
    ns <- sample(2:10, 1)
    u <- rnorm(1, 0, 3)
    a <- 30 + u + rnorm(ns, 0, 2)
    o <- 15 - 0.8 * u + sign_within * 0.6 * (a - mean(a)) - 0.5 * seq_len(ns) + rnorm(ns, 0, 2.5)
    a <- round(a, 1); o <- round(o)
    cl <- sprintf("C%03d", i)
    out <- rbind(out, data.frame(client = cl, session = seq_len(ns), a = a, o = o))
  }
  # some missing values (alliance only, outcome only), including an intake outcome
  set.seed(seed + 1)
  ia <- sample(nrow(out), round(0.06 * nrow(out))); out$a[ia] <- NA
  io <- sample(nrow(out), round(0.06 * nrow(out))); out$o[io] <- NA
  out$o[out$client == "C001" & out$session == 1] <- NA
  out
}

cases <- list()
s1 <- simulate(42, 40)
cases[[1]] <- full_case("sim42", s1)
cases[[2]] <- full_case("sim42_window", s1, k = 3, mode = "window", level = 0.9)
cases[[3]] <- full_case("sim7_opposite", simulate(7, 25, sign_within = -1), k = 2)

# Holm / BH on a fixed vector with ties
pv <- c(0.01, 0.04, 0.03, 0.005, 0.04, 0.5, 1e-8)

# Public datasets (lmarusich/rmcorr@13bda36a data/*.rda, GPL-2)
bl <- read.csv("fixtures/reference/bland1995.csv"); names(bl) <- c("client", "x", "y")
gi <- read.csv("fixtures/reference/gilden2010.csv"); gi <- data.frame(client = gi$sub, x = gi$rt, y = gi$acc)
public <- list(
  bland1995 = list(pooled = pooled(bl, 0.95)$pearson, between = between(bl, 0.95), within = within(bl, 0.95),
                   published = list(r = -0.5067697, df = 38, p = 0.0008471081, ci = c(-0.7067146, -0.2318631))),
  gilden2010 = list(pooled = pooled(gi, 0.95)$pearson, between = between(gi, 0.95), within = within(gi, 0.95),
                    published = list(r = -0.406097, df = 32, p = 0.01717))
)

# Synthetic CLI fixture (written here, deterministic): 15 clients of 3 therapists, SRS and
# PHQ-9, some missing cells, one client whose rows are split (rows at the end of the file),
# one client with sessions out of order.
set.seed(2024)
fx <- NULL
th <- rep(c("T1", "T2", "T3"), c(7, 5, 3))
for (i in 1:15) {
  ns <- sample(3:8, 1); u <- rnorm(1, 0, 3)
  srs <- round(pmin(40, pmax(0, 33 + u + rnorm(ns, 0, 2))), 1)
  phq <- round(pmin(27, pmax(0, 15 - 0.7 * u - 0.6 * seq_len(ns) - 0.4 * (srs - mean(srs)) + rnorm(ns, 0, 2))))
  fx <- rbind(fx, data.frame(client_id = sprintf("P%02d", i), session = seq_len(ns), therapist = th[i], srs = srs, phq9 = phq))
}
fx$srs[c(5, 23)] <- NA; fx$phq9[c(9, 31)] <- NA
c3 <- which(fx$client_id == "P03"); fx[c3, ] <- fx[rev(c3), ]            # sessions descending
c1 <- which(fx$client_id == "P01"); moved <- tail(c1, 2)               # P01's last 2 rows at the end
fx <- rbind(fx[-moved, ], fx[moved, ])
write.csv(fx, "fixtures/correlate/therapists.csv", row.names = FALSE, na = "NA", quote = FALSE)
fxd <- fx[!is.na(fx$srs) & !is.na(fx$phq9), ]
fxd <- data.frame(client = fxd$client_id, x = fxd$srs, y = fxd$phq9, therapist = fxd$therapist)
fixture <- list(
  all = list(pooled = pooled(fxd, 0.95)$pearson, between = between(fxd, 0.95), within = within(fxd, 0.95),
             lagged = lagged(data.frame(client = fx$client_id, session = fx$session, a = fx$srs, o = fx$phq9), 0.95)),
  T1 = list(within = within(fxd[fxd$therapist == "T1", ], 0.95), between = between(fxd[fxd$therapist == "T1", ], 0.95)),
  T2 = list(within = within(fxd[fxd$therapist == "T2", ], 0.95), between = between(fxd[fxd$therapist == "T2", ], 0.95))
)

out <- list(
  fixture = fixture,
  r_version = R.version.string,
  packages = list(jsonlite = as.character(packageVersion("jsonlite")), stats = as.character(packageVersion("stats"))),
  cases = cases,
  adjust = list(p = pv, holm = p.adjust(pv, "holm"), bh = p.adjust(pv, "BH")),
  public = public
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), "test/reference/correlate.json")
