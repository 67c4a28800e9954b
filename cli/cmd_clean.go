package cli

import (
	"fmt"

	"github.com/plash-go/plash/runtime/store"
)

func init() {
	Register(&Command{
		Name:    "clean",
		Usage:   "plash clean [--clean-index] [--clean-cache-keys] [--clean-tmp]",
		Summary: "Remove what crashes and removals leave behind.",
		Help: `--clean-index       remove index links whose container is gone
--clean-cache-keys  remove map entries (build cache keys included) whose
                    container is gone
--clean-tmp         remove temporary directories whose creator is gone and
                    detach fuse mounts in the data directory whose daemon
                    died
With no option it does all three, printing "name: count" lines on stderr.`,
		Run: func(args []string) error {
			var o store.CleanOptions
			for _, a := range args {
				switch a {
				case "--clean-index":
					o.Index = true
				case "--clean-cache-keys":
					o.CacheKeys = true
				case "--clean-tmp":
					o.Tmp = true
				default:
					return Usagef("unknown option %s (usage: plash clean [--clean-index] [--clean-cache-keys] [--clean-tmp])", a)
				}
			}
			if !o.Index && !o.CacheKeys && !o.Tmp {
				o = store.CleanOptions{Index: true, CacheKeys: true, Tmp: true}
			}
			s, err := openStoreUserns()
			if err != nil {
				return err
			}
			r, err := s.Clean(o)
			if o.Index {
				fmt.Fprintf(Stderr, "unlinked_indexes: %d\n", r.UnlinkedIndexes)
			}
			if o.CacheKeys {
				fmt.Fprintf(Stderr, "unlinked_maps: %d\n", r.UnlinkedMaps)
			}
			if o.Tmp {
				fmt.Fprintf(Stderr, "removed_tmpdirs: %d\n", r.RemovedTmpdirs)
				fmt.Fprintf(Stderr, "unmounted_fuse: %d\n", r.UnmountedFuse)
			}
			return err
		},
	})
}
