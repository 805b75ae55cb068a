! iset: v6
! Rule Q2: from ISA v6 stmqp needs neither 16-byte alignment nor a wholly writable
! block: only the bytes its mask selects are written (fault_stmqp_* die on v5).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    sys 90, 0, 0x2000, 3, 0x12, -1, 0  ! mmap(0, 2 pages, RW, MAP_PRIVATE | MAP_ANONYMOUS)
    {
        addd,0 0, %r24, %dr1
    }
    {
        addd,0 %dr1, 0x1000, %dr2
    }
    sys 125, %r2, 0x1000, 1            ! mprotect(second page, PROT_READ)
    check %r24, 0, 1
    {
        addd,0 0, 0x1111222233334444, %dr4
        addd,1 0, 0x5555666677778888, %dr5
    }
    {
        qppackdl,0 %dr4, %dr5, %qpr6
        addd,1 %dr1, 0xff8, %dr3       ! 8 bytes in the first page, 8 in the read-only one
        addd,3 0, 0x00fc, %dr7         ! bytes 2-7
    }
    {
        stmqp,2 %dr3, %dr7, %qpr6
    }
    {
        ldd,0 %dr3, 0, %dr8
    }
    check %r8, 0x5555666677770000, 2
    print msg, 9
    exit 0
    .data
msg:
    .ascii "quad6 ok\n"
