! For tests/emu_cli.rs: stores 12 MiB below the initial stack pointer, which only a
! data stack larger than that (-s) holds; exits 0, or the store faults (SIGSEGV).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        getsp,0 0, %r0
    }
    {
        subd,0 %r0, 0xc00000, %r1
    }
    {
        std,2 %r1, 0, %r0
    }
    exit 0
