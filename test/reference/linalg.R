# Reference values for src/stats/linalg.ts: R chol(), solve(), determinant().
# Run from the repository root:  Rscript test/reference/linalg.R
source("test/reference/json.R")
set.seed(20261127)
spd <- function(n, scale = rep(1, n)) {
  X <- matrix(rnorm(3 * n * n), 3 * n, n) %*% diag(scale)
  crossprod(X)
}
cases <- list()
add <- function(name, A, b) {
  n <- nrow(A)
  ch <- tryCatch(chol(A), error = function(e) NULL)
  cases[[length(cases) + 1]] <<- list(
    name = name, n = n,
    A = as.numeric(t(A)),                     # row-major
    b = as.numeric(b),
    spd = !is.null(ch),
    chol_upper = if (is.null(ch)) NULL else as.numeric(t(ch)),   # row-major upper factor
    inverse = as.numeric(t(solve(A))),
    solution = as.numeric(solve(A, b)),
    logdet = as.numeric(determinant(A, logarithm = TRUE)$modulus),
    det_sign = determinant(A)$sign
  )
}
add("spd3", spd(3), rnorm(3))
add("spd5", spd(5), rnorm(5))
add("spd4_badly_scaled", spd(4, c(1e-2, 1, 10, 1e3)), rnorm(4))
G <- matrix(rnorm(16), 4, 4)
add("general4", G, rnorm(4))
add("needs_pivot", matrix(c(0, 1, 2, 1, 0, 3, 4, -3, 8), 3, 3, byrow = TRUE), c(1, 2, 3))
add("indefinite_sym", matrix(c(1, 2, 2, 1), 2, 2), c(1, 1))
singular <- matrix(c(1, 2, 3, 2, 4, 6, 1, 0, 1), 3, 3, byrow = TRUE)
out <- list(
  generator = "test/reference/linalg.R",
  r_version = R.version.string,
  cases = cases,
  singular = list(A = as.numeric(t(singular)), n = 3,
                  r_solve_error = tryCatch({ solve(singular); "none" }, error = function(e) conditionMessage(e)))
)
write_json_file(out, "test/reference/linalg.json")
