package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/sylabs/sif/v2/pkg/integrity"
	"github.com/sylabs/sif/v2/pkg/sif"
)

// tamper --keyring FILE… IMG EDITS.json: the reference verifier's default
// verdict for many one-byte changes of IMG, each made on an in-memory copy.
// EDITS.json is a list of [offset, new byte value]; the answer lists the
// error text of each ("" = verified), a panic being reported as its error.
func init() { register("tamper", tamper) }

func tamper(args []string) (interface{}, error) {
	fs := flag.NewFlagSet("tamper", flag.ContinueOnError)
	var keyrings repeated
	fs.Var(&keyrings, "keyring", "public key file (armored or binary)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 2 {
		return nil, fmt.Errorf("usage: tamper --keyring FILE IMG EDITS.json")
	}
	kr, err := readKeyFiles(keyrings)
	if err != nil {
		return nil, err
	}
	image, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(fs.Arg(1))
	if err != nil {
		return nil, err
	}
	var edits [][2]int64
	if err := json.Unmarshal(b, &edits); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(edits))
	for _, e := range edits {
		img := append([]byte(nil), image...)
		img[e[0]] = byte(e[1])
		out = append(out, verifyBytes(img, kr))
	}
	return out, nil
}

func verifyBytes(img []byte, kr openpgp.KeyRing) (msg string) {
	// 2.8.3 allocates DescriptorsTotal descriptors before reading any: a
	// total the file cannot hold would fail after an allocation that can
	// exhaust memory (a fatal error, not a panic), so report that failure.
	total := int64(binary.LittleEndian.Uint64(img[88:96]))
	if total > int64(len(img))/585+1 {
		return fmt.Sprintf("reading descriptors: unexpected EOF (not run: %d descriptors would be allocated)", total)
	}
	// GetData allocates a signature object's Size before reading it: same.
	table := int64(binary.LittleEndian.Uint64(img[96:104]))
	for k := int64(0); k < total; k++ {
		at := table + k*585
		if at < 0 || at+585 > int64(len(img)) || img[at+4] == 0 {
			continue
		}
		if size := int64(binary.LittleEndian.Uint64(img[at+25 : at+33])); size > int64(len(img)) {
			return fmt.Sprintf("object %d: unexpected EOF (not run: %d bytes would be allocated)", k+1, size)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("panic: %v", r)
		}
	}()
	f, err := sif.LoadContainer(sif.NewBuffer(img), sif.OptLoadWithFlag(os.O_RDONLY))
	if err != nil {
		return err.Error()
	}
	v, err := integrity.NewVerifier(f, integrity.OptVerifyWithKeyRing(kr))
	if err != nil {
		return err.Error()
	}
	if err := v.Verify(); err != nil {
		return err.Error()
	}
	return ""
}
