package release

import (
	"context"
	"fmt"
	"slices"
)

// Resolver looks a tag up in the image's registry; internal/registry's Client.
type Resolver interface {
	Digest(ctx context.Context, image, tag string) (string, error)
}

// RegistryPolicy says what a release asks of the registry. The zero value asks nothing.
type RegistryPolicy struct {
	Resolver Resolver
	// Check refuses a tag the registry does not have (registry.check).
	Check bool
	// Pin writes the tag's digest (--pin-digest, environments.E.pinDigest); it implies Check.
	Pin bool
}

// RegistryImage is one image as the registry resolved it; the PR body shows it.
type RegistryImage struct {
	Image  string
	Tag    string
	Digest string
	Pinned bool
}

// MakeRegistryPlan is MakePlan behind the release policy: a tag policy.forbidTags lists is
// refused first, then, with Check or Pin, every image the overlay renders is looked up in its
// registry, and with Pin the plan is made again with the digest. All of it happens before
// anything is written, so a refusal leaves nothing behind.
func MakeRegistryPlan(ctx context.Context, in Input, reg RegistryPolicy) (*Plan, error) {
	if err := in.Repo.CheckTag(in.Version.Tag); err != nil {
		return nil, err
	}
	plan, err := MakeGroupPlan(ctx, in)
	if err != nil || !(reg.Check || reg.Pin) || (plan.Noop && !reg.Pin) {
		return plan, err
	}
	if in.Rollback && in.Version.Digest != "" {
		// A rollback to a digest from history runs exactly what ran before, even when the tag
		// has moved since: the registry's current answer for the tag is not the point.
		return plan, nil
	}
	if reg.Resolver == nil {
		return nil, fmt.Errorf("no registry client to look %s up", in.Version.Tag)
	}
	resolved, err := resolveImages(ctx, reg.Resolver, imagesOf(plan, in), in.Version.Tag)
	if err != nil {
		return nil, err
	}
	if !reg.Pin {
		return withRegistry(plan, in, resolved)
	}
	digest, err := oneDigest(resolved, in)
	if err != nil {
		return nil, err
	}
	for i := range resolved {
		resolved[i].Pinned = true
	}
	if digest == in.Version.Digest {
		return withRegistry(plan, in, resolved)
	}
	in.Version.Digest = digest
	in.Registry = resolved
	return MakeGroupPlan(ctx, in)
}

// withRegistry renders the plan's texts again with the registry's answer in them.
func withRegistry(plan *Plan, in Input, resolved []RegistryImage) (*Plan, error) {
	plan.Registry = resolved
	if plan.Noop {
		return plan, nil
	}
	if err := plan.renderText(in.Templates); err != nil {
		return nil, err
	}
	return plan, nil
}

// imagesOf lists the names the overlay pulls: as rendered before the edit (newName
// applied), else as edited, else as configured.
func imagesOf(plan *Plan, in Input) []string {
	var out []string
	add := func(n string) {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, p := range plan.Edit.Previous {
		add(p.Name)
	}
	if len(out) == 0 {
		for _, c := range plan.Edit.Changes {
			add(c.Image)
		}
	}
	if len(out) == 0 {
		for _, n := range in.Repo.ImagesFor(in.Service) {
			add(n)
		}
	}
	return out
}

func resolveImages(ctx context.Context, r Resolver, images []string, tag string) ([]RegistryImage, error) {
	out := make([]RegistryImage, 0, len(images))
	for _, image := range images {
		d, err := r.Digest(ctx, image, tag)
		if err != nil {
			return nil, err
		}
		out = append(out, RegistryImage{Image: image, Tag: tag, Digest: d})
	}
	return out, nil
}

// oneDigest is the digest to write: the overlay edit sets one digest on every image of the
// service, so they must agree, and a digest the user gave must be the registry's.
func oneDigest(resolved []RegistryImage, in Input) (string, error) {
	if len(resolved) == 0 {
		return "", fmt.Errorf("%s/%s has no image to pin", in.Env, in.Service)
	}
	for _, r := range resolved {
		if in.Version.Digest != "" && r.Digest != in.Version.Digest {
			return "", fmt.Errorf("%s does not match the registry: %s:%s is %s, nothing written",
				in.Version, r.Image, r.Tag, r.Digest)
		}
		if r.Digest != resolved[0].Digest {
			return "", fmt.Errorf("cannot pin one digest for %s: %s:%s is %s but %s:%s is %s; configure one image per service in services.%s.images",
				in.Service, resolved[0].Image, resolved[0].Tag, resolved[0].Digest, r.Image, r.Tag, r.Digest, in.Service)
		}
	}
	return resolved[0].Digest, nil
}
