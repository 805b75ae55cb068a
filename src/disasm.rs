//! Disassembly in the text format of MCST's objdump.
