package fakekube

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Context is one kubeconfig context on a fake, with one way to authenticate.
type Context struct {
	Name   string
	Server *Server
	// URL overrides Server.URL (an unreachable cluster); CAData still comes from Server.
	URL             string
	Token           string // a bearer token
	CertPEM, KeyPEM []byte // a client certificate
	ExecCommand     string // an exec credential plugin (see WriteExecPlugin)
}

// WriteKubeconfig writes a kubeconfig holding contexts, current naming the current one.
func WriteKubeconfig(path, current string, contexts ...Context) error {
	cfg := clientcmdapi.NewConfig()
	for _, c := range contexts {
		server := c.URL
		if server == "" {
			server = c.Server.URL
		}
		cluster := clientcmdapi.NewCluster()
		cluster.Server = server
		cluster.CertificateAuthorityData = c.Server.CAData
		user := clientcmdapi.NewAuthInfo()
		user.Token = c.Token
		user.ClientCertificateData, user.ClientKeyData = c.CertPEM, c.KeyPEM
		if c.ExecCommand != "" {
			user.Exec = &clientcmdapi.ExecConfig{
				APIVersion: "client.authentication.k8s.io/v1", Command: c.ExecCommand,
				InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
			}
		}
		kctx := clientcmdapi.NewContext()
		kctx.Cluster, kctx.AuthInfo = c.Name, c.Name
		cfg.Clusters[c.Name], cfg.AuthInfos[c.Name], cfg.Contexts[c.Name] = cluster, user, kctx
	}
	cfg.CurrentContext = current
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return clientcmd.WriteToFile(*cfg, path)
}

// WriteExecPlugin writes, in dir, an exec credential plugin that hands out token, as a
// cloud provider's plugin (aws, gke-gcloud-auth-plugin) does; it returns the plugin's path.
func WriteExecPlugin(dir, name, token string) (string, error) {
	path := filepath.Join(dir, name)
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}'\n", token)
	return path, os.WriteFile(path, []byte(script), 0o700)
}
