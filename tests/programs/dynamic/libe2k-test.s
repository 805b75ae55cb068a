! The test library, assembled with `e2k-as --pie -e greet`: ld-e2k-test.s maps it and
! hands its entry, `greet`, to the program, which calls it.
    .text
    .global greet
greet:
    {
        setwd wsz = 0x10, nfx = 1
    }
self:
    {
        rrd,0 %ip, %r1
    }
    {
        subd,0 %r1, self, %r1          ! where we were loaded
    }
    {
        addd,0 %r1, msg, %r2
    }
    sys 4, 1, %r2, msg_end - msg
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .section .rodata
msg:
    .ascii "hello from the library\n"
msg_end:
