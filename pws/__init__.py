"""PWS Desa: village-level local area monitoring (Pemantauan Wilayah Setempat) for district health offices."""

__version__ = "0.1.0"
