package container

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// loginShell is the shell of the user with the numeric id uid in the
// passwd file, or "" when there is none.
func loginShell(passwd, uid string) string {
	f, err := os.Open(passwd)
	if err != nil {
		return ""
	}
	defer f.Close()
	return shellOf(f, uid)
}

// shellOf is the shell of the user uid in passwd text.
func shellOf(r io.Reader, uid string) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) >= 7 && fields[2] == uid {
			return strings.TrimSpace(fields[6])
		}
	}
	return ""
}
