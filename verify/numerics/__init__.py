"""Numerical solvers that know no claim: the compiled mixture ODE (`mixture_ode`) and the exact
log-likelihood built on it (`likelihood_ode`), log-domain Sinkhorn (`sinkhorn`), and the adaptive
quadrature of smoothed KL divergences (`smoothed_kl`)."""
