package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// repeated collects a flag given several times.
type repeated []string

func (r *repeated) String() string     { return fmt.Sprint(*r) }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

var armorBlock = regexp.MustCompile(`(?s)-----BEGIN PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----.*?-----END PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----`)

// readKeyFiles reads every key of every file, armored (several blocks may be
// concatenated, as users cat them) or binary, as one keyring.
func readKeyFiles(paths []string) (openpgp.EntityList, error) {
	var all openpgp.EntityList
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		blocks := armorBlock.FindAll(b, -1)
		if len(blocks) == 0 {
			el, err := openpgp.ReadKeyRing(bytes.NewReader(b))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			all = append(all, el...)
			continue
		}
		for _, blk := range blocks {
			el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(blk))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			all = append(all, el...)
		}
	}
	return all, nil
}
