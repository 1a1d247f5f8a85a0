package main

import (
	"github.com/gofiber/fiber/v2"

	"nexo/api"
)

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(api.Spec())
}

func serveDocs(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(api.DocsHTML())
}
