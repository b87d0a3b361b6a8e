#!/usr/bin/env python3
"""Annuity schedules computed independently with exact fractions, for the table in
crates/installment-core/src/plan.rs (`annuity_table_matches_exact_fractions`).

For each case and rounding strategy it prints the first payment, the last payment, the
total and the largest payment, in the currency's decimal text. The rules are the ones the
core documents: the level payment P*r*(1+r)^n / ((1+r)^n - 1) rounded once; interest
accrues exactly on the exact balance, and each month charges the rounded cumulative
interest less what earlier months charged (so rounding never accumulates); principal =
level - interest (never below zero or above what remains); the last month pays what
remains plus its interest; at r = 0 the payments are the split of the price, larger first.

    python3 scripts/dev/annuity-cases.py
"""
from fractions import Fraction as F
import math

def round_minor(value: F, strategy: str) -> int:
    floor = math.floor(value)
    rest = value - floor
    if rest == 0:
        return floor
    away = floor + 1 if value > 0 else floor  # every value here is non-negative
    if strategy == "up":
        return away
    if strategy == "down":
        return floor
    if rest > F(1, 2):
        return floor + 1
    if rest < F(1, 2):
        return floor
    if strategy == "half_up":
        return floor + 1
    return floor + (floor % 2)  # half_even

def schedule(price_minor: int, rate: F, months: int, strategy: str):
    if rate == 0:
        base, extra = divmod(price_minor, months)
        return [base + (1 if i < extra else 0) for i in range(months)], None
    growth = (1 + rate) ** months
    level = round_minor(price_minor * rate * growth / (growth - 1), strategy)
    remaining, payments = price_minor, []
    balance, accrued, charged = F(price_minor), F(0), 0
    for month in range(1, months + 1):
        accruing = max(balance * rate, F(0))
        accrued += accruing
        interest = round_minor(accrued, strategy) - charged
        charged += interest
        principal = remaining if month == months else min(max(level - interest, 0), remaining)
        remaining -= principal
        balance += accruing - (principal + interest)
        payments.append(principal + interest)
    return payments, level

def text(minor: int, exponent: int = 2) -> str:
    return f"{minor // 10**exponent}.{minor % 10**exponent:0{exponent}d}"

CASES = [("1000.00", "0.015", 12), ("299.90", "0", 12), ("100.00", "0", 120), ("0.01", "0.01", 120)]
for price, rate, months in CASES:
    minor = int(F(price) * 100)
    for strategy in ("up", "down", "half_up", "half_even"):
        payments, level = schedule(minor, F(rate), months, strategy)
        print(f'("{price}", "{rate}", {months}, {strategy!r:>11}, "{text(payments[0])}", '
              f'"{text(payments[-1])}", "{text(sum(payments))}", "{text(max(payments))}"),')
