package web

import (
	"ctis"
	"ctis/pdq"
	"html/template"
)

// Layout is what every page's frame shows: language, the user and the
// handling banner, the form token and the purpose. render fills it in;
// each page's view embeds it.
type Layout struct {
	Lang, Dir string
	Languages []string
	CSRF      string
	Purpose   string
	Flash     string
	Path      string
	// User is the signed-in user, nil on the login page.
	User  *ctis.Identity
	Roles []string
	Is    map[string]bool
	// Banner names the most restrictive handling of the shared data the
	// page shows, computed from the view itself.
	Banner string
	// Unread is how many of the user's notifications are unread.
	Unread int
}

func (l *Layout) layout() *Layout { return l }

// view is a page's data: its own fields and the embedded Layout.
type view interface{ layout() *Layout }

type loginView struct {
	Layout
	Failure      string
	Demo         []Login
	DemoPassword string
}

type errorView struct {
	Layout
	Message string
	// Detail adds to Message in the page's language; English, a
	// service's own message, shown as English.
	Detail, English string
	// AskPurpose is the path of a read that needs a purpose, and Keep
	// its other query parameters, for the form that asks for one.
	AskPurpose string
	Keep       [][2]string
}

type dashboardView struct {
	Layout
	Hits   []ctis.Hit
	Due    []ctis.EntitySummary
	Events []ctis.AuditEvent
}

type searchView struct {
	Layout
	Name, Identifier string
	Result           *ctis.SearchResult
}

// group is a property's statements on an entity page.
type group struct {
	Property string
	// IsName marks a name's statements, shown with a transliteration.
	IsName     bool
	Statements []ctis.Statement
}

type entityView struct {
	Layout
	Entity     *ctis.Entity
	Groups     []group
	Properties []ctis.Property
	Caption    string
	// Graph is the entity's network as the viewer may see it; Map and
	// Timeline draw a person's movements in it.
	Graph    *entityGraph
	Map      *movementMap
	Timeline []timelineMark
}

type newEntityView struct {
	Layout
	Schemas, Properties []string
}

type screenView struct {
	Layout
	Results []ctis.ScreenResult
	Subject *ctis.Subject
}

type reviewView struct {
	Layout
	Hits     []hitCompare
	Filter   ctis.HitFilter
	From     string
	Statuses []ctis.HitStatus
}

type auditView struct {
	Layout
	Events   []ctis.AuditEvent
	Report   *ctis.AuditReport
	Filter   ctis.AuditFilter
	From, To string
}

type adminView struct {
	Layout
	Agencies []ctis.Agency
	Users    []ctis.User
	Groups   []ctis.SharingGroup
	AllRoles []ctis.Role
	// Secret is a new user's or token's secret, shown once.
	Secret string
}

type travelView struct {
	Layout
	Query   ctis.TravelQuery
	Records []ctis.TravelRecord
	// One is set when the page shows a single record.
	One bool
}

type hashesView struct {
	Layout
	Months []ctis.TransparencyMonth
	// Chart draws Months.
	Chart   template.HTML
	Banks   []ctis.HashBank
	Flagged []ctis.HashEntry
	Appeals []ctis.Appeal
	// Image, Result and Queries are an uploaded image's hashes and what
	// they matched.
	Image   *pdq.File
	Result  *ctis.HashMatchResult
	Queries []ctis.HashQuery
	// Frames are an uploaded video's hashes.
	Frames []ctis.VideoFrame
	// Referrals are the figures of referrals to platforms the user's
	// agency sees, by platform and month.
	Referrals []ctis.ContentReferralFigures
}
