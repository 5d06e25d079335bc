"""nqpf: a bilingual command-line glossary of new quality productive forces (新质生产力)."""

__version__ = "0.1.0"
