"""Farrington-flexible against R's surveillance 1.20.3, and its statistical behaviour on hand-made series.

The fixed expected values below were computed ONCE with R (Debian package r-cran-surveillance
1.20.3, R 4.2) and pasted here; the tests never call R. How they were obtained:

    library(surveillance)
    data("salmonella.agona"); s <- disProg2sts(salmonella.agona)           # weekly, 312 weeks
    r <- farringtonFlexible(s, control = list(range = 282:312))            # R defaults: b=5, w=3
    data("rotaBB"); o <- observed(rotaBB)                                   # monthly, 2002-2013
    for (j in 4:5) {                                                        # age groups 15-69, 70+
      s <- sts(observed = o[, j], frequency = 12, start = c(2002, 1))       # plain time index
      r <- farringtonFlexible(s, control = list(b = 3, w = 1, range = 38:144)) }
    s <- sts(observed = o[, 5], population = matrix(rowSums(o), ncol = 1), frequency = 12,
             start = c(2002, 1))
    r <- farringtonFlexible(s, control = list(b = 3, w = 1, range = 38:144, populationOffset = TRUE))
    # kept: r@control$expected, upperbound(r), r@control$pvalue, alarms(r), r@control$trend,
    #       r@control$phiVector (every 7th/2nd/9th time point and every alarm)

``rotaBB`` is used with a plain time index (``sts(observed=...)``), because with
``epochAsDate = TRUE`` R measures the trend in units of the first month's length in days.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from analytics.alerts.farrington import FarringtonConfig, farrington_many, farrington_one, reference_indices
from analytics.alerts.multiple import benjamini_hochberg

ROTA_15_69 = (
    26, 48, 75, 78, 44, 25, 19, 19, 15, 21, 15, 15, 24, 61, 72, 62, 32, 13, 6, 2, 7, 9, 4, 15, 16, 53, 77, 67, 26,
    28, 11, 5, 10, 10, 16, 22, 79, 120, 107, 90, 54, 19, 13, 12, 9, 20, 3, 49, 103, 149, 201, 90, 40, 14, 22, 9,
    9, 10, 12, 32, 35, 44, 79, 155, 100, 24, 24, 13, 25, 35, 40, 44, 122, 128, 89, 87, 93, 66, 19, 17, 32, 25, 39,
    66, 71, 171, 219, 85, 75, 48, 52, 36, 30, 40, 73, 25, 73, 120, 156, 114, 115, 54, 20, 25, 24, 17, 20, 26, 66,
    37, 125, 96, 96, 65, 27, 15, 12, 13, 23, 25, 26, 39, 55, 66, 38, 37, 13, 11, 10, 16, 22, 25, 48, 71, 136, 228,
    133, 39, 15, 15, 39, 12, 15, 19,
)
ROTA_70 = (
    12, 24, 18, 21, 8, 11, 10, 0, 6, 8, 7, 13, 8, 42, 94, 57, 16, 0, 5, 1, 3, 1, 2, 5, 4, 40, 24, 53, 12, 3, 2, 1,
    2, 4, 5, 35, 119, 122, 64, 81, 24, 12, 7, 10, 4, 6, 6, 35, 129, 121, 152, 34, 26, 6, 6, 9, 3, 2, 9, 34, 29,
    23, 126, 224, 109, 16, 17, 8, 10, 15, 39, 23, 156, 112, 44, 60, 94, 37, 14, 16, 20, 13, 42, 52, 71, 111, 142,
    97, 98, 23, 26, 19, 24, 24, 38, 22, 52, 122, 194, 179, 112, 40, 22, 19, 13, 7, 7, 29, 58, 29, 132, 201, 157,
    61, 15, 9, 8, 15, 7, 38, 24, 42, 62, 69, 22, 19, 18, 9, 6, 12, 20, 36, 63, 154, 381, 551, 235, 42, 10, 10, 49,
    12, 19, 28,
)
AGONA = (
    1, 0, 5, 2, 1, 2, 0, 4, 0, 0, 0, 3, 1, 1, 0, 0, 2, 2, 0, 2, 6, 3, 2, 1, 2, 0, 1, 1, 3, 5, 3, 4, 3, 6, 5, 8, 6,
    3, 6, 2, 5, 2, 1, 5, 7, 1, 10, 3, 4, 0, 0, 1, 6, 0, 2, 2, 0, 0, 2, 2, 0, 6, 7, 1, 0, 0, 0, 1, 1, 4, 3, 1, 3,
    2, 6, 3, 4, 4, 8, 12, 9, 17, 16, 8, 6, 13, 4, 7, 10, 3, 11, 4, 6, 4, 7, 6, 2, 9, 2, 3, 4, 1, 2, 2, 0, 0, 1, 2,
    2, 2, 5, 0, 0, 4, 2, 1, 3, 2, 0, 1, 1, 3, 0, 1, 3, 2, 3, 6, 2, 1, 3, 3, 2, 2, 2, 1, 3, 3, 2, 3, 0, 2, 4, 6, 7,
    3, 1, 4, 1, 2, 5, 1, 3, 1, 0, 1, 3, 3, 0, 0, 1, 1, 0, 1, 4, 1, 1, 0, 0, 1, 1, 4, 1, 0, 1, 2, 1, 4, 3, 3, 0, 3,
    5, 3, 3, 4, 3, 3, 3, 4, 5, 7, 6, 5, 3, 2, 1, 3, 2, 1, 2, 1, 1, 0, 0, 1, 1, 0, 1, 4, 3, 2, 0, 1, 0, 3, 1, 1, 4,
    4, 0, 1, 4, 2, 0, 1, 1, 0, 1, 1, 2, 5, 4, 0, 2, 1, 1, 3, 6, 1, 7, 6, 2, 5, 7, 5, 4, 5, 6, 6, 1, 2, 2, 5, 4, 1,
    6, 2, 5, 3, 4, 7, 6, 10, 2, 4, 0, 3, 0, 1, 3, 0, 1, 1, 0, 1, 0, 1, 0, 1, 2, 2, 4, 7, 6, 1, 4, 6, 4, 2, 4, 5,
    5, 9, 8, 6, 3, 2, 3, 4, 3, 3, 4, 4, 2, 1, 2, 3, 2, 2, 0, 4,
)
# ROTA_15_69: (k 1-based, expected, upper bound, p-value, alarm, trend kept, phi)
R_ROTA_15_69 = (
    (38, 50.22222223, 93.32146334, 0.0056712504, True, False, 10.90060516),
    (39, 65.88888889, 84.27674193, 0.00021587009, True, False, 1.739460376),
    (40, 47.92046883, 82.46562236, 0.024420753, True, True, 7.489176973),
    (44, 3.995788093, 10.05869168, 0.01823475, True, True, 2.291445256),
    (45, 4.11220824, 10.02249116, 0.08217373, False, True, 2.154253985),
    (46, 7.750055723, 15.66206818, 0.0077045518, True, True, 2.19561022),
    (50, 67.6666667, 131.1675351, 0.01999866, True, False, 17.28375656),
    (51, 78.77777778, 118.6916272, 2.8230713e-06, True, False, 6.46050891),
    (52, 93.58007205, 147.0803571, 0.54776595, False, True, 9.484472971),
    (59, 41.32182636, 73.95193413, 0.97430211, False, True, 7.1575611),
    (66, 25.22222223, 51.65263903, 0.53484332, False, False, 7.838334462),
    (69, 10.44444444, 17.78244649, 0.0011477339, True, False, 1.558512917),
    (70, 11, 19.76291078, 3.1131137e-05, True, False, 2.068194845),
    (73, 44.62636933, 116.0677459, 0.038967606, True, True, 29.24753607),
    (80, 15.11111111, 27.34832176, 0.39089774, False, False, 2.935677382),
    (86, 75.15669789, 157.8486685, 0.030339444, True, True, 25.4572435),
    (87, 75.39994073, 144.7532609, 0.00088092676, True, True, 18.51089238),
    (94, 25.22222223, 48.10720232, 0.13556141, False, False, 6.044180906),
    (95, 33.66666668, 65.39493728, 0.023030228, True, False, 8.65119712),
    (101, 56.54168962, 109.7716705, 0.036739867, True, True, 14.45429784),
    (108, 53.46664888, 106.2541711, 0.86014773, False, True, 14.82688835),
    (115, 37.44444445, 71.00279225, 0.72762533, False, False, 8.78721942),
    (122, 60.85184402, 134.8204404, 0.72691264, False, True, 24.65221436),
    (129, 8.258671418, 13.43088981, 0.27948714, False, True, 1),
    (134, 27.74117333, 69.20975757, 0.043934993, True, True, 16.17346675),
    (135, 36.23935869, 71.17925926, 2.112677e-05, True, True, 9.686791295),
    (136, 39.40767484, 61.57296596, 2.4900882e-26, True, True, 3.915066628),
    (137, 36.98941027, 65.87722048, 1.1714315e-06, True, True, 6.732369605),
    (140, 8.315685545, 13.96700129, 0.02749059, True, True, 1.14839265),
    (141, 8.253875054, 13.4770893, 5.583486e-15, True, True, 1),
    (143, 20.77777778, 28.76559194, 0.90760212, False, False, 1.008021421),
)
# ROTA_70: (k 1-based, expected, upper bound, p-value, alarm, trend kept, phi)
R_ROTA_70 = (
    (38, 29.55555556, 84.92998938, 0.0056389492, True, False, 25.53761026),
    (43, 0.6100621998, 3.679860698, 0.0018316923, True, True, 2.544704174),
    (44, 0.8821818578, 3.621737621, 1.0427695e-05, True, True, 1.66988228),
    (45, 2.888888889, 8.364811335, 0.34962062, False, False, 2.461541237),
    (46, 1.832639429, 4.758986668, 0.012919166, True, True, 1.067985851),
    (52, 47.22222222, 103.6877539, 0.68057067, False, False, 18.61823544),
    (59, 11.00000001, 40.22984647, 0.55958923, False, False, 17.09145351),
    (64, 100.91946, 206.7778691, 0.029924054, True, True, 30.88462507),
    (65, 27.88888889, 78.63327238, 0.0072094889, True, False, 22.90738959),
    (66, 17.99301721, 40.79100532, 0.56773795, False, True, 7.144522616),
    (67, 6.222222222, 13.355354, 0.0090323947, True, False, 2.24107144),
    (70, 4.555555556, 8.759411556, 0.00012953301, True, False, 1.103671847),
    (73, 29.40739708, 87.37346927, 0.00082141179, True, True, 27.6627698),
    (80, 13.59535231, 23.03594625, 0.32715027, False, True, 1.762695644),
    (87, 74.25253204, 191.4276136, 0.1561368, False, True, 47.53569671),
    (93, 10.66666667, 21.90641282, 0.027704333, True, False, 3.328125007),
    (94, 17, 45.77847036, 0.32476381, False, False, 12.29412271),
    (100, 75.37831016, 153.6932393, 0.017421486, True, True, 23.04905573),
    (101, 43.65437259, 128.7481926, 0.086788538, False, True, 40.30385902),
    (108, 30.43613392, 86.60189671, 0.52063395, False, True, 25.51523963),
    (115, 24, 40.27533538, 0.85847645, False, False, 3.375004732),
    (122, 77.12625898, 170.5651574, 0.78397991, False, True, 30.99388823),
    (129, 6.71225953, 12.38709707, 0.59286303, False, True, 1.372413641),
    (130, 4.13091347, 11.35728732, 0.038345694, True, True, 3.102489583),
    (134, 28.68155572, 87.33676204, 0.0010097385, True, True, 28.77014112),
    (135, 43.59796621, 111.9264138, 5.424582e-10, True, True, 27.64787608),
    (136, 46.04471057, 104.4931999, 5.0678586e-22, True, True, 20.15764357),
    (137, 36.82233994, 120.7719807, 0.00044275584, True, True, 44.44879303),
    (141, 7.399641367, 13.58309076, 4.2422424e-17, True, True, 1.456463369),
    (143, 31.88584646, 63.72813229, 0.79342139, False, True, 8.571052224),
)
# AGONA: (k 1-based, expected, upper bound, p-value, alarm, trend kept, phi)
R_AGONA = (
    (282, 2.371428571, 5.64294077, 0.58928221, False, False, 1.192771165),
    (284, 2.828571429, 6.463900717, 0.031678094, True, False, 1.257872881),
    (286, 2.949162285, 7.2187044, 0.84972802, False, False, 1.618368478),
    (288, 2.396570156, 8.770179159, 0.15634932, False, True, 3.667292031),
    (290, 2.706350782, 8.703525329, 0.60056686, False, True, 3.053719611),
    (292, 2.868871486, 8.557272785, 0.24582641, False, True, 2.681189078),
    (294, 3.842969645, 8.697315494, 0.041350452, True, True, 1.629285105),
    (296, 4.143807159, 8.716871862, 0.23658186, False, True, 1.382031691),
    (298, 4.771428574, 9.240517431, 0.90436848, False, False, 1.20926654),
    (300, 4.257142857, 9.067617413, 0.54066099, False, False, 1.510856699),
    (302, 2.66190441, 6.444094044, 0.4325118, False, True, 1.381450824),
    (304, 2.342765419, 6.264724463, 0.22340974, False, True, 1.618378634),
    (306, 1.56205909, 5.033211531, 0.63985096, False, True, 1.749281593),
    (308, 2.628571429, 7.702704803, 0.4425117, False, False, 2.374045574),
    (310, 2.122324639, 5.91591988, 0.52594721, False, False, 1.674777914),
    (312, 4.588130069, 10.66889762, 0.575484, False, True, 1.868991239),
)
ROTA_ALL = (
    391, 654, 696, 610, 183, 77, 58, 48, 52, 64, 53, 103, 431, 711, 805, 457, 192, 48, 28, 9, 22, 20, 26, 101,
    188, 376, 688, 406, 211, 111, 37, 44, 36, 64, 92, 173, 523, 972, 839, 598, 321, 85, 38, 36, 26, 52, 49, 182,
    695, 1059, 1290, 508, 245, 98, 59, 27, 24, 20, 51, 143, 286, 393, 733, 1101, 741, 122, 70, 38, 52, 116, 191,
    253, 782, 926, 751, 536, 376, 253, 91, 54, 107, 57, 126, 312, 536, 1170, 1337, 537, 403, 191, 111, 86, 82,
    116, 200, 99, 242, 440, 780, 684, 636, 188, 82, 63, 55, 35, 100, 93, 299, 305, 660, 613, 453, 221, 77, 34, 39,
    101, 91, 114, 114, 218, 385, 428, 245, 147, 63, 32, 35, 40, 66, 133, 189, 378, 837, 1254, 557, 157, 48, 46,
    104, 48, 76, 82,
)
# ROTA_70 with population = ROTA_ALL (populationOffset = TRUE), same columns as above
R_ROTA_70_POP = (
    (38, 89.82837486, 156.2667414, 0.20210671, False, True, 13.91695133),
    (43, 0.6323892851, 3.783680887, 0.0022407005, True, True, 2.547230573),
    (44, 3.233532934, 8.177226896, 0.015509632, True, False, 1.916103592),
    (46, 2.074642964, 4.895149747, 0.01414157, True, True, 1),
    (47, 5.632183911, 13.06691866, 0.46249248, False, False, 2.63611383),
    (56, 3.423913043, 8.401308229, 0.034655479, True, False, 1.872104047),
    (64, 144.4942452, 206.6996481, 0.019166372, True, True, 8.344477065),
    (65, 58.00873934, 86.98392416, 0.002778097, True, True, 4.263037912),
    (73, 68.30312983, 115.6160769, 0.0020293463, True, True, 9.702958483),
    (74, 120.6936672, 191.4425822, 0.58787069, False, False, 12.99143804),
    (83, 16.60382983, 28.50780425, 0.00058266904, True, True, 2.529568415),
    (92, 16.96934866, 25.29146212, 0.33637437, False, False, 1.286108945),
    (93, 15.9030303, 23.88256496, 0.047703266, True, False, 1.255374822),
    (98, 42.69423172, 87.83589236, 0.0034688902, True, True, 13.48519091),
    (99, 69.44519572, 129.7558487, 0.00087683643, True, True, 15.3351929),
    (100, 87.28755559, 163.1788985, 0.02548281, True, True, 19.28900187),
    (101, 113.1661972, 158.7920593, 0.51781858, False, False, 6.028094096),
    (110, 86.75339644, 166.6314553, 0.94107488, False, True, 21.2997735),
    (112, 103.5198676, 194.5848306, 0.040098035, True, False, 23.5347787),
    (119, 18.71177504, 33.18955062, 0.95540899, False, False, 3.357471396),
    (128, 7.071735895, 11.89648238, 0.2444506, False, True, 1),
    (130, 3.493096246, 8.580953418, 0.0052465655, True, True, 1.909088991),
    (133, 33.4487475, 58.76663068, 0.029103489, True, True, 5.670842503),
    (134, 49.22410279, 71.66065472, 2.2649331e-11, True, True, 3.267365415),
    (135, 125.8066501, 184.8722836, 3.9556417e-10, True, True, 8.84236237),
    (136, 289.6216216, 396.5414221, 7.871669e-05, True, False, 13.04393093),
    (137, 101.2839203, 168.4644773, 0.0010863884, True, True, 13.55395839),
    (141, 23.48387097, 31.9571778, 2.4899571e-06, True, False, 1),
)

R_MONTHLY = FarringtonConfig(b=3, w=1, r_compat=True)
R_WEEKLY = FarringtonConfig(freq=52, b=5, w=3, r_compat=True)  # R's farringtonFlexible defaults
CASES = [
    ("rota 15-69", ROTA_15_69, R_ROTA_15_69, R_MONTHLY, None),
    ("rota 70+", ROTA_70, R_ROTA_70, R_MONTHLY, None),
    ("agona", AGONA, R_AGONA, R_WEEKLY, None),
    ("rota 70+ / all", ROTA_70, R_ROTA_70_POP, R_MONTHLY, ROTA_ALL),
]


@pytest.mark.parametrize(("name", "series", "expected", "cfg", "pop"), CASES, ids=[c[0] for c in CASES])
def test_matches_r_surveillance(name, series, expected, cfg, pop) -> None:
    y = np.asarray(series, dtype=float)
    population = None if pop is None else np.asarray(pop, dtype=float)
    assert any(row[4] for row in expected) and not all(row[4] for row in expected)
    for k, exp_, ub, p, alarm, trend, phi in expected:
        one = farrington_one(y, k - 1, cfg, population)  # R's time points are 1-based
        many = farrington_many(y[None, :], k - 1, cfg, None if population is None else population[None, :])
        for got in (one, {"expected": many.expected[0], "upper": many.upper[0], "pvalue": many.pvalue[0],
                          "alarm": many.alarm[0], "trend": many.trend[0], "phi": many.phi[0]}):
            assert got["expected"] == pytest.approx(exp_, rel=1e-5), (name, k)
            assert got["upper"] == pytest.approx(ub, rel=1e-4), (name, k)
            assert got["pvalue"] == pytest.approx(p, rel=1e-3, abs=1e-5), (name, k)
            assert bool(got["alarm"]) == alarm, (name, k)
            assert bool(got["trend"]) == trend, (name, k)
            assert got["phi"] == pytest.approx(phi, rel=1e-4), (name, k)


def test_reference_months_are_same_month_plus_minus_one_in_three_past_years() -> None:
    # December of year 4 (index 47): Nov/Dec/Jan around December of years 1-3.
    assert reference_indices(47, FarringtonConfig()).tolist() == [10, 11, 12, 22, 23, 24, 34, 35, 36]
    with pytest.raises(ValueError, match="baseline"):
        reference_indices(36, FarringtonConfig())  # needs index 36 - 36 - 1 = -1


def test_hand_computed_threshold() -> None:
    # Reference months 9, 10, 11 in each of 3 years (Nov, Dec, Jan): mean 10, no trend.
    # Pearson X2 = 3 * (1 + 0 + 1) / 10 = 0.6 over 8 df -> 0.075 -> phi = max(1, 0.075) = 1.
    # var(eta0) = phi / sum(mu) = 1 / 90, se.fit^2 = 10^2 / 90; tau = phi + se.fit^2 / 10 = 1 + 1/9.
    # se = sqrt(4/9 * 2.1544347 * 10/9) = 1.031410; U = (4.6415888 + 1.6448536 * 1.031410)^(3/2)
    #    = 6.338111^(3/2) = 15.9569.
    # A count of 16 is above U (alarm); 15 is not.
    y = np.tile([11.0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 9, 10], 4)
    y[47] = 16
    se = np.sqrt(4 / 9 * 10 ** (1 / 3) * (1 + 1 / 9))
    upper = (10 ** (2 / 3) + 1.6448536269514722 * se) ** 1.5
    assert upper == pytest.approx(15.9569, abs=1e-4)
    got = farrington_one(y, 47)
    assert got["expected"] == pytest.approx(10.0)
    assert got["upper"] == pytest.approx(upper, rel=1e-6)
    assert got["alarm"] is True
    assert farrington_many(y[None, :], 47).upper[0] == pytest.approx(upper, rel=1e-6)
    y[47] = 15
    assert farrington_one(y, 47)["alarm"] is False


def test_limit54_needs_five_cases_in_four_months() -> None:
    y = np.zeros(48)
    y[[10, 11, 12, 22, 23, 24, 34, 35, 36]] = 0.2  # a tiny baseline
    y[[10, 22, 34]] = 1
    y[47] = 4  # far above the baseline, but only 4 cases in the last 4 months
    assert farrington_one(y, 47)["enough"] is False and farrington_one(y, 47)["alarm"] is False
    y[45] = 1  # now 5 cases in months 44-47
    assert farrington_one(y, 47)["alarm"] is True


def test_numpy_and_statsmodels_agree_on_random_series() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(60)
    rows = [rng.poisson(lam) for lam in (3 + 0 * t, 20 * np.exp(0.02 * t), 50 * np.exp(-0.01 * t), 8 + 0 * t)]
    rows.append(rng.negative_binomial(4, 4 / (4 + 15), size=60))  # overdispersed
    y = np.asarray(rows, dtype=float)
    y[1, 59] = 3 * y[1, 59]
    for k in (40, 52, 59):
        many = farrington_many(y, k)
        for i in range(len(y)):
            one = farrington_one(y[i], k)
            assert many.expected[i] == pytest.approx(one["expected"], rel=1e-6)
            assert many.upper[i] == pytest.approx(one["upper"], rel=1e-6)
            assert many.trend[i] == one["trend"]


def test_flat_poisson_alarm_rate_is_near_nominal() -> None:
    # 4,000 independent flat Poisson(20) series (fixed seed), last month tested at alpha = 0.05.
    # Measured 3.7% (w=1; 4.2% with w=2): slightly conservative (phi >= 1, prediction variance added).
    rng = np.random.default_rng(20240601)
    y = rng.poisson(20, size=(4000, 48)).astype(float)
    rate = farrington_many(y, 47).alarm.mean()
    assert 0.025 <= rate <= 0.06
    # R's exact arithmetic (r_compat) underestimates the prediction variance: 8.2% alarms.
    assert farrington_many(y, 47, FarringtonConfig(r_compat=True)).alarm.mean() > 0.065


@pytest.mark.parametrize("w", [1, 2])
def test_bh_over_many_flat_series_rarely_alarms(w: int) -> None:
    # 200 months x 300 in-control series (means 3-40): with BH at q = 0.05 the chance of >= 1
    # false alarm in a month is <= 0.05 under the complete null. Measured with the negative
    # binomial p-values: 4.5% (w=1), 2% (w=2); the 2/3-power normal p-values gave 8.5% (w=1).
    rng = np.random.default_rng(11)
    months_with_alarm = 0
    for _ in range(200):
        y = rng.poisson(rng.uniform(3, 40, size=(300, 1)), size=(300, 48)).astype(float)
        r = farrington_many(y, 47, FarringtonConfig(w=w))
        months_with_alarm += bool((benjamini_hochberg(r.pvalue_nb, 0.05) & r.alarm).any())
    assert months_with_alarm / 200 <= 0.06


def test_planted_3x_surge_is_flagged_among_many_series() -> None:
    rng = np.random.default_rng(3)
    y = rng.poisson(15, size=(300, 48)).astype(float)
    y[17, 47] = 45  # 3 x the expected count
    r = farrington_many(y, 47)
    flagged = benjamini_hochberg(r.pvalue_nb, 0.05) & r.alarm
    assert flagged[17]
    assert flagged.sum() <= 2


def test_past_outbreak_does_not_inflate_the_baseline_after_reweighting() -> None:
    # Flat Poisson(20) series, an outbreak of 90 cases one year ago (inside December's reference
    # window), twice the usual count now; 50 fixed seeds, the app's window (w = 2, 15 months).
    cfg, plain = FarringtonConfig(w=2), FarringtonConfig(w=2, reweight=False)
    got = []
    for seed in range(50):
        y = np.random.default_rng(seed).poisson(20, size=48).astype(float)
        y[35], y[47] = 90, 40
        a, b = farrington_one(y, 47, cfg), farrington_one(y, 47, plain)
        got.append((a["expected"], b["expected"], a["alarm"], b["alarm"]))
    exp_rw, exp_plain, alarm_rw, alarm_plain = np.array(got, dtype=float).mean(0)
    # Without reweighting the outbreak adds ~70/15 = 4.7 cases to the baseline mean.
    assert exp_rw < 22 and exp_plain > 24
    assert alarm_rw >= 0.9 and alarm_plain <= 0.1


def test_with_nine_reference_months_one_outlier_is_not_reweighted() -> None:
    # Documented limitation of w = 1 (9 reference months): an outbreak inflates phi along with its
    # own residual, whose Anscombe value then stays below 2.58, so it keeps its full weight.
    y = np.random.default_rng(0).poisson(20, size=48).astype(float)
    y[35] = 90
    cfg = FarringtonConfig(w=1)
    assert farrington_one(y, 47, cfg)["expected"] == pytest.approx(
        farrington_one(y, 47, FarringtonConfig(w=1, reweight=False))["expected"])


def test_current_month_never_enters_its_own_baseline() -> None:
    rng = np.random.default_rng(9)
    y = rng.poisson(20, size=48).astype(float)
    y[47] = 60
    before = farrington_one(y, 47)
    assert before["alarm"] is True
    y[47] = 600  # changing the current month changes nothing in its baseline
    after = farrington_one(y, 47)
    assert after["expected"] == before["expected"] and after["upper"] == before["upper"]


def test_whole_series_fit_takes_the_surge_into_its_own_baseline() -> None:
    # Contrast: a seasonal quasi-Poisson model (trend + month effects) fitted on the whole series
    # *including* the last month estimates December from 4 Decembers, one of them the surge, so
    # its expected value and its dispersion rise with the surge and the excess shrinks; the
    # past-only baseline is unchanged and flags the month.
    rng = np.random.default_rng(9)
    y = rng.poisson(20, size=48).astype(float)
    month = np.arange(48) % 12
    x = np.column_stack([np.ones(48), np.arange(48), *(month == m for m in range(1, 12))]).astype(float)

    def whole(series: np.ndarray) -> tuple[float, float]:
        fit = sm.GLM(series, x, family=sm.families.Poisson()).fit()
        return float(fit.mu[47]), float(fit.pearson_chi2 / fit.df_resid)

    calm, surged = y.copy(), y.copy()
    surged[47] = 60
    mu_calm, phi_calm = whole(calm)
    mu_surge, phi_surge = whole(surged)
    assert mu_surge > mu_calm + 8  # the surge moved its own expected value by > 8 cases
    assert phi_surge > phi_calm
    z_whole = (60 - mu_surge) / np.sqrt(phi_surge * mu_surge)
    past = farrington_one(surged, 47)
    assert farrington_one(calm, 47)["expected"] == past["expected"]
    z_past = (60 - past["expected"]) / np.sqrt(past["phi"] * past["expected"])
    assert past["alarm"] is True and z_past > 2 * z_whole
