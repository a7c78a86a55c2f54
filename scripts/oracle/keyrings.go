package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/sylabs/sif/v2/pkg/integrity"
	"github.com/sylabs/sif/v2/pkg/sif"
)

// Keyring questions answered the way Apptainer answers them: files are read
// with openpgp.ReadKeyRing (binary, as Apptainer reads pgp-public/pgp-secret).
// Passphrases come on stdin (-passphrase-stdin), never on the command line.
//
//	keyring-list [-passphrase-stdin] FILE
//	keyring-sign [-passphrase-stdin] SECRET PUBLIC FINGERPRINT
//	keyring-sign-image [-passphrase-stdin] SECRET PUBLIC FINGERPRINT IMG
func init() {
	register("keyring-list", keyringList)
	register("keyring-sign", keyringSign)
	register("keyring-sign-image", keyringSignImage)
}

type krIdentity struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Comment string `json:"comment"`
	Email   string `json:"email"`
}

type krKey struct {
	Fingerprint  string       `json:"fingerprint"`
	Identities   []krIdentity `json:"identities"`
	Created      int64        `json:"created"`
	BitLength    uint16       `json:"bitLength"`
	HasPrivate   bool         `json:"hasPrivate"`
	Encrypted    bool         `json:"encrypted"`
	Decrypts     bool         `json:"decrypts"`
	DecryptError string       `json:"decryptError,omitempty"`
	// Listing is Apptainer's printEntity output for this key at its index.
	Listing string `json:"listing"`
}

type krList struct {
	Keys []krKey `json:"keys"`
}

// krArgs parses "-passphrase-stdin" and the positional arguments.
func krArgs(name string, args []string, want int) ([]string, []byte, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fromStdin := fs.Bool("passphrase-stdin", false, "read the passphrase from stdin (first line)")
	if err := fs.Parse(args); err != nil || fs.NArg() != want {
		return nil, nil, fmt.Errorf("usage: %s [-passphrase-stdin] needs %d arguments", name, want)
	}
	var pass []byte
	if *fromStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, nil, err
		}
		pass = []byte(strings.TrimRight(line, "\r\n"))
	}
	return fs.Args(), pass, nil
}

func krReadRing(path string) (openpgp.EntityList, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return openpgp.ReadKeyRing(f)
}

// krPrintEntity is Apptainer's sypgp.printEntity (internal/pkg/sypgp/sypgp.go).
func krPrintEntity(w io.Writer, index int, e *openpgp.Entity) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%d)", index)
	for _, v := range e.Identities {
		fmt.Fprintf(tw, "\tUser:\t%s (%s) <%s>\n", v.UserId.Name, v.UserId.Comment, v.UserId.Email)
	}
	fmt.Fprintf(tw, "\tCreation time:\t%s\n", e.PrimaryKey.CreationTime)
	fmt.Fprintf(tw, "\tFingerprint:\t%0X\n", e.PrimaryKey.Fingerprint)
	bits, _ := e.PrimaryKey.BitLength()
	fmt.Fprintf(tw, "\tLength (in bits):\t%d\n", bits)
	tw.Flush()
	fmt.Fprintln(w)
}

func keyringList(args []string) (interface{}, error) {
	pos, pass, err := krArgs("keyring-list", args, 1)
	if err != nil {
		return nil, err
	}
	el, err := krReadRing(pos[0])
	if err != nil {
		return nil, err
	}
	out := krList{Keys: []krKey{}}
	for i, e := range el {
		k := krKey{
			Fingerprint: fmt.Sprintf("%X", e.PrimaryKey.Fingerprint),
			Identities:  []krIdentity{},
			Created:     e.PrimaryKey.CreationTime.Unix(),
			HasPrivate:  e.PrivateKey != nil,
		}
		k.BitLength, _ = e.PrimaryKey.BitLength()
		for _, id := range e.Identities {
			k.Identities = append(k.Identities, krIdentity{ID: id.Name, Name: id.UserId.Name, Comment: id.UserId.Comment, Email: id.UserId.Email})
		}
		if e.PrivateKey != nil {
			k.Encrypted = e.PrivateKey.Encrypted
			k.Decrypts = true
			if e.PrivateKey.Encrypted {
				if err := e.PrivateKey.Decrypt(pass); err != nil {
					k.Decrypts, k.DecryptError = false, err.Error()
				}
			}
		}
		var listing bytes.Buffer
		krPrintEntity(&listing, i, e)
		k.Listing = listing.String()
		out.Keys = append(out.Keys, k)
	}
	return out, nil
}

// krSigner finds FINGERPRINT in the secret ring and unlocks its primary key,
// as Apptainer's sign does.
func krSigner(secretPath, fingerprint string, pass []byte) (*openpgp.Entity, error) {
	el, err := krReadRing(secretPath)
	if err != nil {
		return nil, err
	}
	for _, e := range el {
		if !strings.EqualFold(fmt.Sprintf("%X", e.PrimaryKey.Fingerprint), fingerprint) {
			continue
		}
		if e.PrivateKey == nil {
			return nil, fmt.Errorf("key %s has no private material", fingerprint)
		}
		if e.PrivateKey.Encrypted {
			if err := e.PrivateKey.Decrypt(pass); err != nil {
				return nil, err
			}
		}
		return e, nil
	}
	return nil, fmt.Errorf("key %s not in %s", fingerprint, secretPath)
}

type krSigned struct {
	SignedBy string `json:"signedBy"`
	Message  string `json:"message"`
}

const krMessage = "sif keyring oracle: clear-signed test message\n"

func keyringSign(args []string) (interface{}, error) {
	pos, pass, err := krArgs("keyring-sign", args, 3)
	if err != nil {
		return nil, err
	}
	e, err := krSigner(pos[0], pos[2], pass)
	if err != nil {
		return nil, err
	}
	var signed bytes.Buffer
	w, err := clearsign.Encode(&signed, e.PrivateKey, nil)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, krMessage); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	public, err := krReadRing(pos[1])
	if err != nil {
		return nil, err
	}
	b, _ := clearsign.Decode(signed.Bytes())
	if b == nil {
		return nil, fmt.Errorf("no clear-signed block produced")
	}
	signer, err := openpgp.CheckDetachedSignature(public, bytes.NewReader(b.Bytes), b.ArmoredSignature.Body, nil)
	if err != nil {
		return nil, err
	}
	return krSigned{SignedBy: fmt.Sprintf("%X", signer.PrimaryKey.Fingerprint), Message: signed.String()}, nil
}

type krImageSigned struct {
	SignedBy   string `json:"signedBy"`
	VerifiedBy string `json:"verifiedBy"`
}

func keyringSignImage(args []string) (interface{}, error) {
	pos, pass, err := krArgs("keyring-sign-image", args, 4)
	if err != nil {
		return nil, err
	}
	e, err := krSigner(pos[0], pos[2], pass)
	if err != nil {
		return nil, err
	}
	public, err := krReadRing(pos[1])
	if err != nil {
		return nil, err
	}
	f, err := sif.LoadContainerFromPath(pos[3])
	if err != nil {
		return nil, err
	}
	defer f.UnloadContainer()
	s, err := integrity.NewSigner(f, integrity.OptSignWithEntity(e))
	if err != nil {
		return nil, err
	}
	if err := s.Sign(); err != nil {
		return nil, err
	}
	var verifiedBy string
	cb := func(r integrity.VerifyResult) bool {
		if r.Error() == nil && r.Entity() != nil {
			verifiedBy = fmt.Sprintf("%X", r.Entity().PrimaryKey.Fingerprint)
		}
		return false
	}
	v, err := integrity.NewVerifier(f, integrity.OptVerifyWithKeyRing(public), integrity.OptVerifyCallback(cb))
	if err != nil {
		return nil, err
	}
	if err := v.Verify(); err != nil {
		return nil, err
	}
	return krImageSigned{SignedBy: fmt.Sprintf("%X", e.PrimaryKey.Fingerprint), VerifiedBy: verifiedBy}, nil
}
