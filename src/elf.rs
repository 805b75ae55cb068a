//! Reading E2K ELF files for the tools.
