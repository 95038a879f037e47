package main

import (
	"crypto/tls"
	"fmt"
	"os"
)

func main() {
	c, err := tls.Dial("tcp", os.Args[1], &tls.Config{MaxVersion: tls.VersionTLS10})
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Close()
}
