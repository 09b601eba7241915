// Command gito turns "ship version V of service S to env E" into a GitOps pull request.
package main

import (
	"os"

	"github.com/gito-dev/gito/internal/app"
)

func main() { os.Exit(app.Main()) }
