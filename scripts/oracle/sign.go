package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sylabs/sif/v2/pkg/integrity"
	"github.com/sylabs/sif/v2/pkg/sif"
)

// sign [--group N]… [--object N]… [--passphrase-stdin] [--time UNIX] --key PRIVATE.asc IMG:
// signs IMG in place with the reference signer (the first key of the file).
func init() { register("sign", sign) }

type signResult struct {
	Fingerprint string `json:"fingerprint"`
}

func sign(args []string) (interface{}, error) {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	var groups, objects repeatedUint
	var keys repeated
	fs.Var(&groups, "group", "group ID to sign")
	fs.Var(&objects, "object", "object ID to sign")
	fs.Var(&keys, "key", "private key file (armored or binary)")
	fromStdin := fs.Bool("passphrase-stdin", false, "read the private key's passphrase from stdin (first line), never argv")
	unix := fs.Int64("time", 0, "signature time (Unix seconds); default now")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || len(keys) == 0 {
		return nil, fmt.Errorf("usage: sign [--group N] [--object N] [--passphrase-stdin] [--time UNIX] --key FILE IMG")
	}
	el, err := readKeyFiles(keys)
	if err != nil {
		return nil, err
	}
	if len(el) == 0 {
		return nil, fmt.Errorf("no keys in %v", keys)
	}
	e := el[0]
	if e.PrivateKey == nil {
		return nil, fmt.Errorf("first key has no private part")
	}
	if e.PrivateKey.Encrypted {
		passphrase, err := readPassphraseLine(*fromStdin)
		if err != nil {
			return nil, err
		}
		if err := e.PrivateKey.Decrypt(passphrase); err != nil {
			return nil, err
		}
	}
	f, err := sif.LoadContainerFromPath(fs.Arg(0))
	if err != nil {
		return nil, err
	}
	defer f.UnloadContainer()

	opts := []integrity.SignerOpt{integrity.OptSignWithEntity(e)}
	if *unix != 0 {
		t := time.Unix(*unix, 0)
		opts = append(opts, integrity.OptSignWithTime(func() time.Time { return t }))
	}
	for _, g := range groups {
		opts = append(opts, integrity.OptSignGroup(g))
	}
	if len(objects) > 0 {
		opts = append(opts, integrity.OptSignObjects(objects...))
	}
	s, err := integrity.NewSigner(f, opts...)
	if err != nil {
		return nil, err
	}
	if err := s.Sign(); err != nil {
		return nil, err
	}
	return signResult{Fingerprint: fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)}, nil
}

// readPassphraseLine reads the first line of stdin when asked to, else gives an empty passphrase.
func readPassphraseLine(fromStdin bool) ([]byte, error) {
	if !fromStdin {
		return nil, nil
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return nil, err
	}
	return []byte(strings.TrimRight(line, "\r\n")), nil
}
