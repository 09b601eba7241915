package integration

import (
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// no-secrets PATH VALUE...: fail when any file under PATH holds one of the values as
// written or in any base64 form (standard, unpadded, URL-safe): the secret oracle's check
// of everything gito printed, wrote or sent.
func cmdNoSecrets(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: no-secrets PATH VALUE...")
	}
	var forms []string
	for _, v := range args[1:] {
		if v == "" {
			ts.Fatalf("no-secrets: empty value")
		}
		b := []byte(v)
		forms = append(forms, v, base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
			base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b))
	}
	files := 0
	err := filepath.WalkDir(ts.MkAbs(args[0]), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for _, f := range forms {
			if strings.Contains(string(data), f) {
				ts.Fatalf("%s holds secret value %q", p, f)
			}
		}
		return nil
	})
	ts.Check(err)
	if files == 0 {
		ts.Fatalf("no-secrets: no files under %s", args[0])
	}
}
