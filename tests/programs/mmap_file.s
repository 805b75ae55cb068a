! A private file mapping longer than its file: the file's page holds its bytes and
! zeros after them; the page wholly past the end reads as zeros (Linux would raise
! SIGBUS there; the emulator must not fault on the host). Then MAP_FIXED over it.
    start
    sys 5, name, 0, 0                  ! open("syscalls.input", O_RDONLY)
    {
        addd,0 %r24, 0, %r1
        cmpldb,1 %r24, 0, %pred0
    }
    failif %pred0, 1
    sys 90, 0, 0x2000, 1, 2, %r1, 0    ! mmap(0, 2 pages, PROT_READ, MAP_PRIVATE, fd, 0)
    {
        addd,0 %r24, 0, %r2
        cmpldb,1 %r24, 0, %pred0
    }
    failif %pred0, 2
    {
        ldb,0 %r2, 0, %r3
        ldb,2 %r2, 13, %r4
        ldb,3 %r2, 14, %r5
    }
    check %r3, 0x66, 3                 ! 'f'
    check %r4, 0x0a, 4
    check %r5, 0, 5
    {
        addd,0 %r2, 0x1000, %r6
    }
    {
        ldd,0 %r6, 0, %r3
        ldd,2 %r6, 0xff8, %r4
    }
    check %r3, 0, 6
    check %r4, 0, 7
    ! The same file again, fixed over the second page, from offset 0.
    sys 90, %r6, 0x1000, 1, 0x102, %r1, 0
    check %r24, %r6, 8
    {
        ldb,0 %r6, 1, %r3
    }
    check %r3, 0x69, 9                 ! 'i'
    print ok, 3
    exit 0

    .data
name:
    .asciz "syscalls.input"
ok:
    .ascii "ok\n"
