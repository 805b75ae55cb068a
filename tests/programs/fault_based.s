! exit: 139
! stderr: %b[8] is outside the 8-register based area
! %b[i] with i >= 2 * (rsz + 1) is a window-bounds fault, checked against the BR
! before the instruction: the setbn beside it, which would make %b[8] legal, takes
! effect only at its end.
    start
    {
        setbn rbs = 0x2, rsz = 0x3, rcur = 0x1
    }
    {
        addd,0 0, 1, %b[7]              ! inside the area: %r(4 + (2 + 7) mod 8) = %r5
    }
    check %r5, 1, 1
    {
        setbn rbs = 0x2, rsz = 0x7, rcur = 0x0
        addd,0 0, 2, %b[8]
    }
    exit 0
