//! ELF files of E2K programs: reading them (`read`), writing executables (`write`) and
//! listing their code as `objdump -d` does (`listing`).

pub mod listing;
pub mod read;
pub mod write;
