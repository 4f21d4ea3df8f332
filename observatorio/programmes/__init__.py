"""Programmes, their logical frameworks, activities and beneficiaries; indicators, targets, measurements and goals."""
