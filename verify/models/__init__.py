"""Analytic models shared by every question: Gaussian mixtures and schedules."""
from .gmm import GaussianMixture
from .linalg import psd_sqrt
from .schedules import VPSchedule

__all__ = ["GaussianMixture", "VPSchedule", "psd_sqrt"]
