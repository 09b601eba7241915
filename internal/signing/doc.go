// Package signing signs and verifies the files gito writes. A signature is an armored SSH
// signature (the `ssh-keygen -Y sign` format) over a file's exact bytes, stored beside it as
// <file>.sig, with the namespace "gito:<repo-relative path>" so it is bound to its path.
// Allowed signers use OpenSSH's allowed-signers format, namespaces="gito:overlays/prod/*"
// limiting a key to paths; stock ssh-keygen verifies what this package signs. The signing key
// is --signing-key, else git's user.signingkey with gpg.format=ssh, else the ssh-agent's first.
package signing
