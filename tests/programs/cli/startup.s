! What the process starts with, for tests/emu_cli.rs (not an e2e program: the output
! depends on the host). One line each: "argv: X" per argument, "env: X" per
! environment string, "random: HEX" (the 16 AT_RANDOM bytes), "getrandom: HEX" (16
! bytes from getrandom), "release: X" (uname's release). Exit status 0.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        getsp,0 0, %r0
    }
    {
        addd,0 %r0, 8, %r1             ! &argv[0]; argv, NULL, envp, NULL, auxv follow
        addd,1 0, 0, %r2               ! which list: 0 argv, 1 env, 2 release
    }
strings:
    {
        ldd,0 %r1, 0, %r3
        addd,1 %r1, 8, %r1
    }
    {
        cmpedb,0 %r3, 0, %pred0
        cmpedb,1 %r2, 0, %pred1
        cmpedb,3 %r2, 1, %pred2
    }
    {
        ibranch endlist ? %pred0
    }
    {
        addd,0 0, p_release, %r4
        addd,1 0, 9, %r5
    }
    {
        addd,0 0, p_argv, %r4 ? %pred1
        addd,1 0, 6, %r5 ? %pred1
    }
    {
        addd,0 0, p_env, %r4 ? %pred2
        addd,1 0, 5, %r5 ? %pred2
    }
    sys 4, 1, %r4, %r5
    {
        addd,0 0, 0, %r6
    }
len:
    {
        ldb,0 %r3, %r6, %r7
    }
    {
        cmpedb,0 %r7, 0, %pred3
    }
    {
        ibranch lendone ? %pred3
    }
    {
        addd,0 %r6, 1, %r6
    }
    {
        ibranch len
    }
lendone:
    sys 4, 1, %r3, %r6
    sys 4, 1, nl, 1
    {
        ibranch strings
    }
endlist:
    {
        cmpedb,0 %r2, 2, %pred3
    }
    {
        ibranch done ? %pred3
    }
    {
        addd,0 0, 1, %r2
        ibranch strings ? %pred1
    }

    ! Past envp: the auxiliary vector; AT_RANDOM (25) points at 16 bytes.
aux:
    {
        ldd,0 %r1, 0, %r3
        ldd,2 %r1, 8, %r4
        addd,1 %r1, 16, %r1
    }
    {
        cmpedb,0 %r3, 25, %pred0
        cmpedb,1 %r3, 0, %pred1
    }
    failif %pred1, 2
    {
        ibranch aux ? ~%pred0
    }
    {
        ldd,0 %r4, 0, %r5
        ldd,2 %r4, 8, %r6
    }
    {
        std,2 0, buf, %r5
        std,5 0, buf + 8, %r6
    }
    sys 385, buf + 16, 16, 0           ! getrandom(buf + 16, 16, 0)
    check %r24, 16, 3

    ! buf's 32 bytes as hex into hex.
    {
        addd,0 0, 0, %r8
    }
hexloop:
    {
        ldb,2 %r8, buf, %r9
        shld,1 %r8, 1, %r10
    }
    {
        shrd,0 %r9, 4, %r11
        andd,1 %r9, 15, %r12
    }
    {
        ldb,0 %r11, digits, %r13
        ldb,2 %r12, digits, %r14
    }
    {
        stb,2 %r10, hex, %r13
        stb,5 %r10, hex + 1, %r14
        addd,0 %r8, 1, %r8
    }
    {
        cmpbdb,0 %r8, 32, %pred2
    }
    {
        ibranch hexloop ? %pred2
    }
    sys 4, 1, p_random, 8
    sys 4, 1, hex, 32
    sys 4, 1, nl, 1
    sys 4, 1, p_getrandom, 11
    sys 4, 1, hex + 32, 32
    sys 4, 1, nl, 1

    ! uname's release, through the string loop once more.
    sys 122, uts
    check %r24, 0, 4
    {
        addd,0 0, 2, %r2
        addd,1 0, rel_list, %r1
    }
    {
        ibranch strings
    }
done:
    exit 0

    .data
p_argv:
    .ascii "argv: "
p_env:
    .ascii "env: "
p_release:
    .ascii "release: "
p_random:
    .ascii "random: "
p_getrandom:
    .ascii "getrandom: "
nl:
    .ascii "\n"
digits:
    .ascii "0123456789abcdef"
    .align 8
rel_list:
    .quad uts + 130, 0
    .bss
buf:
    .skip 32
hex:
    .skip 64
uts:
    .skip 390
