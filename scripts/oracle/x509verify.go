package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

// x509verify --cert LEAF.pem [--intermediates F] [--roots F] --time RFC3339:
// Go's crypto/x509 Verify verdict as Apptainer asks for it
// (internal/pkg/signature/verify.go: KeyUsages [CodeSigning]), at a pinned
// time. A failed verification is an answer ({"ok":false,"error":…}), not an
// oracle error; without --roots the system roots are used, as Apptainer does.
func init() { register("x509verify", x509Verify) }

type x509Verdict struct {
	OK     bool       `json:"ok"`
	Error  string     `json:"error"`
	Chains [][]string `json:"chains"`
}

func x509Verify(args []string) (interface{}, error) {
	fs := flag.NewFlagSet("x509verify", flag.ContinueOnError)
	certFile := fs.String("cert", "", "leaf certificate (first PEM block)")
	interFile := fs.String("intermediates", "", "intermediate certificates (PEM)")
	rootFile := fs.String("roots", "", "root certificates (PEM)")
	at := fs.String("time", "", "verification time, RFC 3339")
	if err := fs.Parse(args); err != nil || *certFile == "" || *at == "" {
		return nil, errors.New("usage: x509verify --cert F [--intermediates F] [--roots F] --time RFC3339")
	}
	now, err := time.Parse(time.RFC3339, *at)
	if err != nil {
		return nil, err
	}
	certs, err := readCertificates(*certFile)
	if err != nil {
		return nil, err
	}
	opts := x509.VerifyOptions{CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}
	if *interFile != "" {
		if opts.Intermediates, err = readPool(*interFile); err != nil {
			return nil, err
		}
	}
	if *rootFile != "" {
		if opts.Roots, err = readPool(*rootFile); err != nil {
			return nil, err
		}
	}
	chains, err := certs[0].Verify(opts)
	if err != nil {
		return x509Verdict{Error: err.Error()}, nil
	}
	out := x509Verdict{OK: true}
	for _, chain := range chains {
		names := []string{}
		for _, c := range chain {
			names = append(names, c.Subject.String())
		}
		out.Chains = append(out.Chains, names)
	}
	return out, nil
}

func readCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return certs, nil
}

func readPool(path string) (*x509.CertPool, error) {
	certs, err := readCertificates(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}
