package main

import (
	"fmt"
	"os"

	"github.com/sylabs/sif/v2/pkg/sif"
)

// loadcheck IMG: only whether the reference loader accepts the file, and its
// error text when it does not. A panic inside the loader (it has several on
// hostile input) is reported as {"panic": ...} instead of crashing the oracle.
func init() { register("loadcheck", loadCheck) }

type loadVerdict struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	Panic string `json:"panic,omitempty"`
}

func loadCheck(args []string) (out interface{}, err error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("usage: loadcheck IMG")
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = loadVerdict{Panic: fmt.Sprint(r)}, nil
		}
	}()
	f, loadErr := sif.LoadContainerFromPath(args[0], sif.OptLoadWithFlag(os.O_RDONLY))
	if loadErr != nil {
		return loadVerdict{Error: loadErr.Error()}, nil
	}
	f.UnloadContainer()
	return loadVerdict{OK: true}, nil
}
