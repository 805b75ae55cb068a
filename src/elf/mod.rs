//! ELF files of E2K programs: reading them (`read`), relocatable objects (`object`),
//! relocations (`reloc`), writing executables (`exec`) and listing their code as
//! `objdump -d` does (`listing`).

pub mod exec;
pub mod listing;
pub mod object;
pub mod read;
pub mod reloc;
