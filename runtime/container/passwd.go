package container

import (
	"bufio"
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
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) >= 7 && fields[2] == uid {
			return strings.TrimSpace(fields[6])
		}
	}
	return ""
}
