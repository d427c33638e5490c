package matcher
import ("testing";"fmt")
func TestNearSweep(t *testing.T){
	cases := loadNameBench(t)
	for _, nt := range []float64{0.6, 0.65, 0.7, 0.8} {
	for _, nd := range []float64{0.1, 0.2, 0.3} {
		nearThreshold, nearDiscount = nt, nd
		for _, th := range []float64{0.7, 0.75, 0.8} {
		tp, fp, fn := 0,0,0
		for _, c := range cases { s,_ := benchScore(c); if s>=th && c.match {tp++} else if s>=th {fp++} else if c.match {fn++} }
		p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
		fmt.Printf("near=%.2f disc=%.2f th=%.2f P=%.3f R=%.3f F1=%.3f\n", nt, nd, th, p, r, 2*p*r/(p+r))
		}
	}}
}
