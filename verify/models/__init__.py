"""Analytic models shared by every question: Gaussian mixtures and schedules."""
from .gmm import GaussianMixture
from .schedules import LinearPath, VPSchedule

__all__ = ["GaussianMixture", "VPSchedule", "LinearPath"]
