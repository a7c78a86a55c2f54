package main

import (
	"bytes"
	"crypto"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
)

// checksig --keyring FILE… MESSAGE: what sylabs/sif's clearsign decoder makes
// of one clear-signed message (clearsign.Decode, then go-crypto's
// CheckDetachedSignatureAndHash with the hashes sylabs/sif expects): the
// error, whether it is go-crypto's unknown-issuer error, and the signer.
func init() { register("checksig", checkSignature) }

type checkResult struct {
	Found         bool   `json:"found"`
	Error         string `json:"error"`
	UnknownIssuer bool   `json:"unknownIssuer"`
	Signer        string `json:"signer"`
}

func checkSignature(args []string) (interface{}, error) {
	fs := flag.NewFlagSet("checksig", flag.ContinueOnError)
	var keyrings repeated
	fs.Var(&keyrings, "keyring", "public key file (armored or binary)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return nil, fmt.Errorf("usage: checksig --keyring FILE MESSAGE")
	}
	kr, err := readKeyFiles(keyrings)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return nil, err
	}
	b, _ := clearsign.Decode(data)
	if b == nil {
		return checkResult{Error: "clearsigned message not found"}, nil
	}
	hashes := []crypto.Hash{crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512}
	e, err := openpgp.CheckDetachedSignatureAndHash(kr, bytes.NewReader(b.Bytes), b.ArmoredSignature.Body, hashes, nil)
	out := checkResult{Found: true}
	if err != nil {
		out.Error = err.Error()
		out.UnknownIssuer = errors.Is(err, pgperrors.ErrUnknownIssuer)
	}
	if e != nil {
		out.Signer = fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)
	}
	return out, nil
}
