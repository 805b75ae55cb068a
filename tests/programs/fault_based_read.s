! exit: 139
! stderr: %b[4] is outside the 4-register based area
! A source %b[i] outside the based area (i >= 2 * (rsz + 1)) faults as a destination
! does, although the rotated register would lie inside the window.
    start
    {
        setbn rbs = 0x0, rsz = 0x1, rcur = 0x0
    }
    {
        addd,0 %b[4], 1, %r20
    }
    exit 0
