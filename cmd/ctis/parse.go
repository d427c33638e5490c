package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ctis/mrz"
	"ctis/paxlst"
	"ctis/pnrgov"
)

func newParse() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "parse mrz|paxlst|pnrgov FILE",
		Short: "Show what a parser reads in a travel document's MRZ, a PAXLST or a PNRGOV message",
		Long: "Print the fields, travellers, legs and warnings a parser reads, so that an operator can see why a\n" +
			"message was misread. FILE may be - for stdin.",
		Example: "  ctis parse mrz passport.txt\n  ctis parse paxlst --json LH600.edi\n  ctis parse pnrgov DL324.edi",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, _, err := openInput(args[1])
			if err != nil {
				return err
			}
			defer in.Close()
			out := cmd.OutOrStdout()
			switch args[0] {
			case "mrz":
				b, err := io.ReadAll(io.LimitReader(in, 4096))
				if err != nil {
					return err
				}
				d, perr := mrz.Parse(string(b))
				if d == nil {
					return perr
				}
				if asJSON {
					return json.NewEncoder(out).Encode(map[string]any{"document": d, "errors": errorList(perr)})
				}
				now := time.Now()
				fmt.Fprintf(out, "%s %s issued by %s\nname: %s, %s\nnumber: %s\nnationality: %s\nborn: %s  sex: %s  expires: %s\n",
					d.Format, d.Code, d.IssuingState, d.Surname, d.GivenNames, d.DocumentNumber, d.Nationality, d.Birth(now), d.Sex, d.Expiry(now))
				if d.Truncated {
					fmt.Fprintln(out, "the name fills its field and may be truncated")
				}
				return perr
			case "paxlst":
				ms, err := paxlst.Parse(in)
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(out).Encode(ms)
				}
				for _, m := range ms {
					kind := "passengers"
					if m.Crew {
						kind = "crew"
					}
					fmt.Fprintf(out, "PAXLST %s from %s to %s, %s, %d part(s), reference %s\n", m.Version, m.Sender, m.Recipient, kind, m.Parts, m.Transaction)
					for _, l := range m.Legs {
						fmt.Fprintf(out, "  leg %s (carrier %s) %s %s → %s %s\n", l.Flight, l.Carrier, l.From, l.Departure, l.To, l.Arrival)
					}
					for _, t := range m.Travellers {
						fmt.Fprintf(out, "  %s %s, %s  %s  born %s  %s  %s>%s", t.Role, t.Surname, t.GivenNames, t.Sex, t.BirthDate, t.Nationality, t.Embarkation, t.Debarkation)
						for _, d := range t.Documents {
							fmt.Fprintf(out, "  %s %s (%s, expires %s)", d.Type, d.Number, d.IssuingCountry, d.Expiry)
						}
						if bags := paxlstBags(&t); bags != "" {
							fmt.Fprintf(out, "  %s", bags)
						}
						fmt.Fprintln(out)
					}
					for _, w := range m.Warnings {
						fmt.Fprintf(out, "  warning: %s\n", w)
					}
				}
				return nil
			case "pnrgov":
				ms, err := pnrgov.Parse(in)
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(out).Encode(ms)
				}
				for _, m := range ms {
					printPNRGOV(out, m)
				}
				return nil
			}
			return fmt.Errorf("unknown format %q: choose mrz, paxlst or pnrgov", args[0])
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// paxlstBags says what a traveller checked in: how many bags, their
// weight, their tags.
func paxlstBags(t *paxlst.Traveller) string {
	if t.Bags == 0 && len(t.BagTags) == 0 && t.BagWeight == "" {
		return ""
	}
	out := fmt.Sprintf("bags %d", t.Bags)
	if t.BagWeight != "" {
		out += strings.TrimSpace(fmt.Sprintf(", %s %s", t.BagWeight, t.BagWeightUnit))
	}
	var tags []string
	for _, b := range t.BagTags {
		if b.Count > 1 {
			tags = append(tags, fmt.Sprintf("%s×%d", b.Tag, b.Count))
		} else {
			tags = append(tags, b.Tag)
		}
	}
	if len(tags) > 0 {
		out += ", tags " + strings.Join(tags, " ")
	}
	return out
}

// printPNRGOV writes what was read of a PNRGOV message.
func printPNRGOV(out io.Writer, m *pnrgov.Message) {
	f := m.Flight
	fmt.Fprintf(out, "PNRGOV %s from %s, flight %s%s %s %s → %s, %d PNR(s)\n", m.Version, m.Sender, f.Carrier, f.Flight, f.Departure, f.From, f.To, len(m.PNRs))
	for _, p := range m.PNRs {
		fmt.Fprintf(out, "  PNR %s (%s) created %s, booked %s, ticketed %s, by %s, %d bag(s)\n", p.Locator, p.LocatorCarrier, p.Created, p.BookedOn, p.TicketedOn, p.Agency, p.Bags)
		for _, x := range p.Passengers {
			fmt.Fprintf(out, "    %s, %s", x.Surname, x.GivenNames)
			if about := strings.Join(nonEmpty("title "+x.Title, "type "+x.Type), ", "); about != "" {
				fmt.Fprintf(out, " (%s)", about)
			}
			fmt.Fprintf(out, "  tickets %v\n", x.Tickets)
			for _, d := range x.Documents {
				// An SSR DOCS may give the traveller's details without a
				// document: then there is no document line.
				if line := strings.Join(nonEmpty(strings.Join(nonEmpty(d.Type, d.IssuingCountry, d.Number), " "),
					"nationality "+d.Nationality, "born "+d.BirthDate, d.Gender, "expires "+d.Expiry), ", "); line != "" {
					if d.Type+d.IssuingCountry+d.Number != "" {
						line = "document " + line
					}
					fmt.Fprintf(out, "      %s\n", line)
				}
			}
			for _, v := range x.Visas {
				fmt.Fprintf(out, "      visa %s\n", strings.Join(nonEmpty(strings.Join(nonEmpty(v.Type, v.Number), " "), "issued "+v.Issued, "at "+v.IssuePlace, "for "+v.Country, "born at "+v.BirthPlace), ", "))
			}
			for _, a := range x.Addresses {
				fmt.Fprintf(out, "      address %s\n", strings.Join(nonEmpty(a.Street, a.City, a.State, a.Postcode, a.Country), ", "))
			}
			for _, st := range x.Seats {
				fmt.Fprintf(out, "      seat %s\n", strings.Join(nonEmpty(st.Number, "cabin "+st.Cabin, "on "+st.Carrier+st.Flight, st.From+" → "+st.To), ", "))
			}
			for _, g := range x.Bags {
				var tags []string
				for _, t := range g.Tags {
					tags = append(tags, strings.Join(nonEmpty(t.Carrier+t.Number, "to "+t.Destination), " "))
				}
				fmt.Fprintf(out, "      %d bag(s) %s\n", g.Count, strings.Join(nonEmpty(g.Weight+" "+g.Unit, "on "+g.Carrier+g.Flight+" "+g.From+" → "+g.To, "tags "+strings.Join(tags, ", ")), ", "))
			}
			for _, pay := range x.Payments {
				fmt.Fprintf(out, "      paid %s %s %s\n", pay.Type, pay.Vendor, pay.Number)
			}
		}
		for _, l := range p.Itinerary {
			fmt.Fprintf(out, "    flight %s%s %s %s → %s %s", l.Carrier, l.Flight, l.From, l.Departure, l.To, l.Arrival)
			if l.OperatingCarrier+l.OperatingFlight != "" {
				fmt.Fprintf(out, " (operated by %s%s)", l.OperatingCarrier, l.OperatingFlight)
			}
			fmt.Fprintln(out)
		}
		for _, a := range p.Addresses {
			fmt.Fprintf(out, "    address %s\n", strings.Join(nonEmpty(a.Street, a.City, a.State, a.Postcode, a.Country, "phone "+a.Phone), ", "))
		}
		for _, c := range p.Contacts {
			fmt.Fprintf(out, "    contact %s\n", c)
		}
		for _, e := range p.Emails {
			fmt.Fprintf(out, "    e-mail %s\n", e)
		}
		for _, ph := range p.Phones {
			fmt.Fprintf(out, "    phone %s\n", ph)
		}
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(out, "  warning: %s\n", w)
	}
}

// nonEmpty keeps the parts that say something: not empty, nor a label
// ending in a space with nothing after it.
func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p != "" && !strings.HasSuffix(p, " ") {
			out = append(out, p)
		}
	}
	return out
}

// errorList flattens joined errors into their messages.
func errorList(err error) []string {
	if err == nil {
		return []string{}
	}
	var out []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}
