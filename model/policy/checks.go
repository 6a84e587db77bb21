package policy

import (
	"strconv"
	"strings"
)

// Warnings and suggestions: the document is evaluated, but probably not as meant.

// strNodes returns the string nodes of a string-or-list value with their paths.
func strNodes(n *node, path string) ([]*node, []string) {
	switch n.kind {
	case kString:
		return []*node{n}, []string{path}
	case kArray:
		var ns []*node
		var ps []string
		for i, e := range n.elems {
			if e.kind == kString {
				ns = append(ns, e)
				ps = append(ps, path+indexPart(i))
			}
		}
		return ns, ps
	}
	return nil, nil
}

// checkActions warns about unknown actions, aliases that are not RAM actions, and actions on
// the wrong OSS resource level.
func (d *decoder) checkActions(actM, resM *member, path string, isNot bool) {
	if actM == nil {
		return
	}
	field := "Action"
	if isNot {
		field = "NotAction"
	}
	ns, ps := strNodes(actM.val, path+"."+field)
	var lv levelSummary
	if resM != nil {
		rn, _ := strNodes(resM.val, "")
		lv = summarizeLevels(rn)
	}
	for i, n := range ns {
		a := n.str
		if a == "*" || a == "" {
			continue
		}
		colon := strings.IndexByte(a, ':')
		if colon <= 0 || colon == len(a)-1 {
			msg := "action " + strconv.Quote(a) + " is not of the form <service>:<action>"
			fix := ""
			if s := d.suggest("oss:"+a, catalogNames, 2); s != "" {
				fix = s
				msg += " (did you mean " + strconv.Quote(s) + "?)"
			}
			d.add(SeverityWarning, n.line, n.col, ps[i], msg, fix)
			continue
		}
		svc := strings.ToLower(a[:colon])
		la := strings.ToLower(a)
		if hasWildcard(a) {
			if !knownServices[svc] {
				continue // ecs:Describe* etc.: not ours to check
			}
			if !d.patternKnown(toLowerASCII(a)) {
				d.add(SeverityWarning, n.line, n.col, ps[i], "action pattern "+strconv.Quote(a)+" matches no known "+svc+" action", "")
			}
			continue
		}
		if entry, ok := catalog[la]; ok {
			if !isNot && entry.level >= levelBucket {
				d.checkLevel(n, ps[i], entry, &lv)
			}
			continue
		}
		if v, ok := aliasFor(a); ok {
			fix := ""
			if !strings.Contains(v, " ") {
				fix = v
			}
			d.add(SeverityWarning, n.line, n.col, ps[i], strconv.Quote(a)+" is an API name, not a RAM action; it is authorized by "+v, fix)
			continue
		}
		if knownServices[svc] || svc == "ram" {
			msg := "unknown action " + strconv.Quote(a)
			fix := d.suggest(a, catalogNames, maxEdits(a))
			if fix != "" {
				msg += " (did you mean " + strconv.Quote(fix) + "?)"
			} else if svc == "ram" {
				msg = "action " + strconv.Quote(a) + " of service ram is not in stsdeck's catalogue; it is kept but not checked"
			}
			d.add(SeverityWarning, n.line, n.col, ps[i], msg, fix)
		} else {
			d.add(SeverityWarning, n.line, n.col, ps[i], "action "+strconv.Quote(a)+" of service "+strconv.Quote(svc)+" is not in stsdeck's catalogue; it is kept but not checked", "")
		}
	}
}

// aliasFor returns the RAM action(s) authorizing an API operation name such as oss:HeadObject.
func aliasFor(a string) (string, bool) {
	for k, v := range ossAliases {
		if strings.EqualFold(k, a) {
			return v, true
		}
	}
	return "", false
}

func maxEdits(s string) int {
	return max(2, min(4, len(s)/5))
}

// levelSummary says which OSS resource levels a statement's Resource list can match.
type levelSummary struct {
	given                  bool
	object, bucket         bool   // some resource could name an object / a bucket
	bucketOnly, objectOnly string // a sample resource of each kind, for messages
}

func summarizeLevels(rn []*node) levelSummary {
	lv := levelSummary{given: len(rn) > 0}
	for _, n := range rn {
		rel, ok := ossRelative(n.str)
		if !ok {
			lv.object, lv.bucket = true, true // "*" or another service: could match anything
			continue
		}
		slash, star := strings.Contains(rel, "/"), strings.Contains(rel, "*")
		if slash || star {
			lv.object = true
		} else if lv.bucketOnly == "" {
			lv.bucketOnly = n.str
		}
		if !slash {
			lv.bucket = true
		} else if lv.objectOnly == "" {
			lv.objectOnly = n.str
		}
	}
	return lv
}

// checkLevel warns when an OSS action can match none of the statement's resources because
// they are all at the wrong level (bucket vs object).
func (d *decoder) checkLevel(n *node, path string, entry catalogAction, lv *levelSummary) {
	if !lv.given {
		return
	}
	switch {
	case entry.level == levelObject && !lv.object:
		d.add(SeverityWarning, n.line, n.col, path, entry.name+" acts on objects (acs:oss:*:*:<bucket>/<key>), but every Resource of this statement names a bucket (e.g. "+strconv.Quote(lv.bucketOnly)+"): it never matches; add \"<bucket>/*\"", "")
	case entry.level == levelBucket && !lv.bucket:
		d.add(SeverityWarning, n.line, n.col, path, entry.name+" acts on the bucket (acs:oss:*:*:<bucket>), but every Resource of this statement names objects (e.g. "+strconv.Quote(lv.objectOnly)+"): it never matches; add the bucket ARN without \"/\"", "")
	}
}

// maxSuggestions bounds the "did you mean" searches per document, so a hostile document of
// many unknown names stays cheap; results are cached.
const maxSuggestions = 64

func (d *decoder) suggest(s string, candidates []string, max int) string {
	key := candidates[0] + "\x00" + s
	if v, ok := d.suggestCache[key]; ok {
		return v
	}
	if len(d.suggestCache) >= maxSuggestions {
		return ""
	}
	if d.suggestCache == nil {
		d.suggestCache = map[string]string{}
	}
	v := closest(s, candidates, max)
	d.suggestCache[key] = v
	return v
}

// patternKnown reports whether a lower-case action pattern matches a catalogue action.
func (d *decoder) patternKnown(lp string) bool {
	if v, ok := d.patternCache[lp]; ok {
		return v
	}
	if len(d.patternCache) >= maxSuggestions {
		return true // stop checking; no warning
	}
	if d.patternCache == nil {
		d.patternCache = map[string]bool{}
	}
	hit := false
	for _, c := range catalogNames {
		if globMatch(lp, c, true) {
			hit = true
			break
		}
	}
	d.patternCache[lp] = hit
	return hit
}

// ossRelative returns the relative id of an acs:oss ARN pattern.
func ossRelative(r string) (string, bool) {
	parts := strings.SplitN(r, ":", 5)
	if len(parts) != 5 || parts[0] != "acs" || parts[1] != "oss" {
		return "", false
	}
	return parts[4], true
}

// checkResources warns about odd ARN shapes and suggests a trailing "/" on prefixes.
func (d *decoder) checkResources(resM *member, path string) {
	if resM == nil {
		return
	}
	ns, ps := strNodes(resM.val, path+".Resource")
	for i, n := range ns {
		r := n.str
		if r == "*" || r == "" {
			continue
		}
		parts := strings.SplitN(r, ":", 5)
		if len(parts) != 5 || parts[0] != "acs" || parts[1] == "" || parts[4] == "" {
			d.add(SeverityWarning, n.line, n.col, ps[i], "odd ARN "+strconv.Quote(r)+": want acs:<service>:<region>:<account>:<relative-id>, e.g. acs:oss:*:*:examplebucket/*", "")
			continue
		}
		if parts[1] == "oss" {
			if fix, stem := prefixFix(parts[4]); fix != "" {
				full := strings.Join(parts[:4], ":") + ":" + fix
				d.add(SeveritySuggestion, n.line, n.col, ps[i], "prefix "+strconv.Quote(stem)+" has no trailing \"/\": it also matches "+strconv.Quote(stem+"-old/…")+" and "+strconv.Quote(stem+".txt")+"; for a folder write "+strconv.Quote(full), full)
			}
		}
	}
}

// prefixFix looks at "bucket/stem*" and returns "bucket/stem/*" and stem when stem does not
// end in "/".
func prefixFix(rel string) (fix, stem string) {
	slash := strings.IndexByte(rel, '/')
	if slash < 0 || !strings.HasSuffix(rel, "*") {
		return "", ""
	}
	stem = rel[slash+1 : len(rel)-1]
	if stem == "" || strings.HasSuffix(stem, "/") || hasWildcard(stem) {
		return "", ""
	}
	return rel[:len(rel)-1] + "/*", stem
}

// checkConditionKey warns about unknown keys and operator/key type mismatches, and suggests a
// trailing "/" on oss:Prefix patterns.
func (d *decoder) checkConditionKey(opName string, op opInfo, known bool, km *member, path string) {
	key := km.key
	if !isKnownKey(key) {
		msg := "unknown condition key " + strconv.Quote(key)
		fix := d.suggest(key, knownKeys, 3)
		if fix != "" {
			msg += " (did you mean " + strconv.Quote(fix) + "?)"
		}
		msg += "; a request never carries it, so this condition is always false"
		d.add(SeverityWarning, km.line, km.col, path, msg, fix)
		return
	}
	if !known {
		return
	}
	if cat, ok := keyCategory(key); ok && cat != op.cat {
		d.add(SeverityWarning, km.line, km.col, path, opName+" compares "+key+" as "+catName(op.cat)+", but it is "+catName(cat)+"; use a "+catName(cat)+" operator", "")
	}
	if canonicalKey(key) == KeyPrefix && op.cmp == cmpLike {
		ns, ps := strNodes(km.val, path)
		for i, n := range ns {
			v := n.str
			if strings.HasSuffix(v, "*") && len(v) > 1 && !strings.HasSuffix(v, "/*") && !hasWildcard(v[:len(v)-1]) {
				fix := v[:len(v)-1] + "/*"
				d.add(SeveritySuggestion, n.line, n.col, ps[i], "prefix "+strconv.Quote(v[:len(v)-1])+" has no trailing \"/\": it also lists "+strconv.Quote(v[:len(v)-1]+"-old/")+"; for a folder write "+strconv.Quote(fix), fix)
			}
		}
	}
}

func catName(c opCategory) string {
	switch c {
	case catNumeric:
		return "a number"
	case catDate:
		return "a date"
	case catBool:
		return "a boolean"
	case catIP:
		return "an IP address"
	}
	return "a string"
}

// checkPrincipal warns about principal values the engine cannot match.
func (d *decoder) checkPrincipal(n *node, path string) {
	check := func(v *node, p string, bucketForm bool) {
		if v.str == "*" || v.str == "" {
			return
		}
		if parsePrincipalValue(v.str, bucketForm).kind == pNever {
			want := "acs:ram::<uid>:root, acs:ram::<uid>:user/<name> or acs:ram::<uid>:role/<name>"
			if bucketForm {
				want = "an account or user uid, arn:sts::<uid>:assumed-role/<role>/<session> or \"*\""
			}
			d.add(SeverityWarning, v.line, v.col, p, "principal "+strconv.Quote(v.str)+" is not understood and never matches; want "+want, "")
		}
	}
	switch n.kind {
	case kString, kArray:
		ns, ps := strNodes(n, path)
		for i, v := range ns {
			check(v, ps[i], true)
		}
	case kObject:
		for i := range n.members {
			m := &n.members[i]
			ns, ps := strNodes(m.val, path+"."+m.key)
			for j, v := range ns {
				switch m.key {
				case "RAM":
					check(v, ps[j], false)
				case "Federated":
					d.add(SeverityWarning, v.line, v.col, ps[j], "Federated (SAML) principals are not evaluated by stsdeck: this statement never matches here", "")
				}
			}
		}
	}
}
