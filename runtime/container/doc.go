// Package container runs commands in containers: it mounts a container's
// layers as one union file system with a changes directory on top (for a
// throw-away run, a tmpfs private to the run), maps the host paths plash
// shares (/tmp, /home, /root, /etc/resolv.conf, /sys, /dev, /proc),
// chroots and runs the command with the login-shell environment the
// original plash gave, then unmounts and cleans up. Run and RunOpts are
// plash run and runopts, Create turns a command's changes into a new child
// container (what the builder calls for every layer), Mount and WithMount
// expose a container's file system on the host, and Exec is plash sudo's
// last step. As root the mounts live in a private mount namespace of one
// locked thread, as a normal user in the namespace of package ns; either
// way nothing is left mounted afterwards. fastrun_linux.c is the hot path
// of plash run ID CMD in C, run before the Go runtime starts; it leaves
// everything it does not cover, and every failure, to Run.
package container
